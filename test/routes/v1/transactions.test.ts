import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetFromTransactions } from '../../../src/schemas/datasets.ts';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { readShared } from '../../helpers/shared-data.ts';

describe('POST /v1/datasets/from-transactions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const upload = (csv: string, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/datasets/from-transactions${query}`, headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });

  it('turns UCI invoices into 4,338 customers with RFM features and reports the cleaning', async () => {
    const response = await upload(readShared('data/online_retail_invoices/OnlineRetail_invoice_level.csv'), '?name=retail-rfm');
    expect(response.statusCode).toBe(201);
    const dataset = DatasetFromTransactions.parse(response.json());
    expect(dataset.counts).toEqual({ customers: 4_338, products: 0, interactions: 0 });
    expect(dataset.columns.map((c) => [c.name, c.kind])).toEqual([
      ['recency_days', 'numeric'],
      ['frequency', 'numeric'],
      ['monetary', 'numeric'],
      ['tenure_days', 'numeric'],
    ]);
    expect(dataset.transactions).toEqual({ lines: 25_943, kept: 18_562, dropped: { noCustomer: 3_722, cancelled: 3_655, nonPositive: 4, unreadableDate: 0 }, referenceDate: '2011-12-10' });
  });

  it('clusters log1p-standardized RFM with the silhouettes of SOURCE.md (±0.005) and picks k = 2', async () => {
    const dataset = (await upload(readShared('data/online_retail_invoices/OnlineRetail_invoice_level.csv'))).json();
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/models?wait=true',
      headers: t.admin,
      payload: {
        name: 'retail-rfm',
        datasetId: dataset.id,
        features: ['recency_days', 'frequency', 'monetary'],
        preprocessing: { transform: 'log1p', clip: false },
        kRange: [2, 8],
        nInit: 10,
        seed: 0,
        stabilityResamples: 0,
      },
    });
    expect(response.statusCode).toBe(201);
    const model = ModelDetail.parse(response.json());
    // scikit-learn KMeans(n_init=10, random_state=0) on StandardScaler(log1p(R, F, M)), all 4,338 customers.
    const reference = [0.4253, 0.319, 0.3253, 0.3044, 0.296, 0.2953, 0.2772];
    expect(model.metrics.kSelection.map((entry) => entry.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    model.metrics.kSelection.forEach((entry, i) => expect(Math.abs(entry.silhouette - reference[i]!), `k = ${entry.k}`).toBeLessThan(0.005));
    expect(model.metrics.k).toBe(2);
    expect(model.metrics.silhouetteSampleSize).toBe(4_338);
  });

  it('stores the products and purchases of line-level data, so personas get recommendations', async () => {
    const response = await upload(readShared('data/online_retail_sample/online_retail_40k_sample.csv'));
    expect(response.statusCode).toBe(201);
    expect(response.json().counts).toEqual({ customers: 3_591, products: 2_871, interactions: 27_681 });
    const model = (await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'retail-lines', datasetId: response.json().id, k: 3, stabilityResamples: 0 } })).json();
    const withRecommendations = await Promise.all(
      model.personas.map(async (persona: { id: string }) => (await t.app.inject({ method: 'GET', url: `/v1/personas/${persona.id}/recommendations?minSupport=5`, headers: t.admin })).json().total),
    );
    expect(withRecommendations.some((total) => total > 0)).toBe(true);
  });

  it('names the columns it could not find', async () => {
    const response = await upload('who,when,what\na,2024-01-01,3\n');
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/customerColumn', '/dateColumn', '/amountColumn']);
  });

  it('accepts column names and a reference date in the query', async () => {
    const response = await upload('who,when,what\na,2024-01-01,3\na,2024-01-03,4\n', '?customerColumn=who&dateColumn=when&amountColumn=what&referenceDate=2024-01-10');
    expect(response.statusCode).toBe(201);
    expect(response.json().transactions.referenceDate).toBe('2024-01-10');
  });
});
