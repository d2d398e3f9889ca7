import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../../../src/schemas/common.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, segmentCustomers, trainSegmentModel } from '../../helpers/factories.ts';

const CSV_HEADER = ['external_id', 'persona_id', 'persona_key', 'persona_name', 'confidence', 'unclassified', 'distance', 'error'];
const LARGE_DATASET_CUSTOMERS = 20_000;

type ModelRef = { id: string; name: string; version: number };
type CsvRecord = Record<(typeof CSV_HEADER)[number], string>;

const attributesOf = ({ customer_id: _id, ...attributes }: { customer_id: string }) => attributes;

describe('GET /v1/models/:id/export', () => {
  let t: TestApp;
  let model: ModelRef;
  let trainingDatasetId: string;

  const upload = async (customers: Array<Record<string, unknown>>) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: { name: 'export', idColumn: 'customer_id', customers } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const exportOf = (query: string, id = model.id) => t.app.inject({ method: 'GET', url: `/v1/models/${id}/export${query}`, headers: t.admin });
  const parseCsv = (text: string): CsvRecord[] => parse(text, { columns: true, relax_column_count: false });
  /** What /v1/assign answers for each customer, by the same version. */
  const assigned = async (customers: ReadonlyArray<{ customer_id: string }>) => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/assign/batch?model=${model.id}`,
      headers: t.admin,
      payload: customers.map((customer) => ({ customerId: customer.customer_id, attributes: attributesOf(customer) })),
    });
    expect(response.statusCode).toBe(200);
    return response.json().items as Array<{ customerId: string; persona: { id: string; key: string; name: string }; confidence: number; distance: number; unclassified: boolean }>;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    ({ model, datasetId: trainingDatasetId } = await trainSegmentModel(t.app, t.admin, { name: 'export-model' }));
  });
  afterAll(async () => t.close());

  it("streams a CSV file of the training dataset's customers, each with the persona /v1/assign gives them", async () => {
    const response = await exportOf('?format=csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers['content-disposition']).toBe('attachment; filename="export-model-v1-personas.csv"');
    expect(response.body.split('\r\n')[0]).toBe(CSV_HEADER.join(','));

    const records = parseCsv(response.body);
    const customers = segmentCustomers();
    expect(records.map((record) => record.external_id)).toEqual(customers.map((customer) => customer.customer_id));
    const answers = await assigned(customers);
    records.forEach((record, i) => {
      const answer = answers[i]!;
      expect(record).toEqual({
        external_id: answer.customerId,
        persona_id: answer.persona.id,
        persona_key: answer.persona.key,
        persona_name: answer.persona.name,
        confidence: String(answer.confidence),
        unclassified: String(answer.unclassified),
        distance: String(answer.distance),
        error: '',
      });
    });
    // Every persona appears: the export is not one persona repeated.
    expect(new Set(records.map((record) => record.persona_key)).size).toBe(SEGMENTS.length);
  });

  it('streams NDJSON records shaped like /v1/assign answers, one per customer, and defaults to CSV without a format', async () => {
    const response = await exportOf(`?format=ndjson&datasetId=${trainingDatasetId}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(response.headers['content-disposition']).toBe('attachment; filename="export-model-v1-personas.ndjson"');
    const lines = response.body.split('\n');
    expect(lines.at(-1)).toBe('');
    const records = lines.slice(0, -1).map((line) => JSON.parse(line));
    const answers = await assigned(segmentCustomers());
    expect(records).toEqual(answers.map(({ customerId, persona, confidence, distance, unclassified }) => ({ customerId, persona, confidence, distance, unclassified })));

    const byDefault = await exportOf('');
    expect(byDefault.headers['content-type']).toMatch(/^text\/csv/);
    expect(parseCsv(byDefault.body)).toHaveLength(records.length);
  });

  describe('with customers whose ids need quoting or whose values do not fit the model', () => {
    let datasetId: string;
    const customers = [
      { customer_id: 'C,1 "the quoted"', age: 25, income: 30_000, home_ownership: 'rent', web_visits: 14, notes: 'not a feature' },
      { customer_id: 'bad-age', age: 'forty', income: 60_000, home_ownership: 'mortgage', web_visits: 6, notes: 'x' },
      { customer_id: 'multi\nline', age: 68, income: 45_000, home_ownership: 'own', web_visits: 2, notes: 'y' },
      { customer_id: 'plain', age: 38, income: 60_000, home_ownership: 'mortgage', web_visits: 6, notes: 'z' },
    ];
    beforeAll(async () => {
      datasetId = await upload(customers);
    });

    it('quotes fields with a comma, quote or line break as RFC 4180 says', async () => {
      const response = await exportOf(`?format=csv&datasetId=${datasetId}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('\r\n"C,1 ""the quoted""",');
      expect(response.body).toContain('\r\n"multi\nline",');
      expect(response.body).toContain('\r\nplain,');
      expect(parseCsv(response.body).map((record) => record.external_id)).toEqual(customers.map((customer) => customer.customer_id));
    });

    it('reports a customer that cannot be placed in its own row and goes on with the next', async () => {
      const csv = parseCsv((await exportOf(`?format=csv&datasetId=${datasetId}`)).body);
      expect(csv[1]).toMatchObject({ external_id: 'bad-age', persona_id: '', persona_key: '', confidence: '', error: expect.stringContaining('/attributes/age "age" must be a number') });
      // /v1/assign refuses a column the model does not know; the export leaves such columns out.
      const fitting = customers.filter((customer) => customer.customer_id !== 'bad-age').map(({ notes: _notes, ...customer }) => customer);
      const answers = await assigned(fitting);
      expect(csv.filter((record) => record.error === '').map((record) => ({ id: record.external_id, persona: record.persona_id }))).toEqual(
        answers.map((answer) => ({ id: answer.customerId, persona: answer.persona.id })),
      );

      const response = await exportOf(`?format=ndjson&datasetId=${datasetId}`);
      const records = response.body.trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(records).toHaveLength(customers.length);
      expect(records[1].customerId).toBe('bad-age');
      const problem = Problem.parse(records[1].error);
      expect(problem).toMatchObject({ type: '/problems/validation-error', status: 400, instance: expect.stringMatching(/^urn:request:.+#line=2$/) });
      expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/attributes/age', code: 'expected_number' })]);
      expect(records[3]).toMatchObject({ customerId: 'plain', persona: answers[2]!.persona });
    });
  });

  it('answers 404 for an unknown model or dataset', async () => {
    for (const response of [await exportOf('', '00000000-0000-4000-8000-000000000000'), await exportOf('?datasetId=00000000-0000-4000-8000-000000000001')]) {
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Problem.parse(response.json())).toMatchObject({ type: '/problems/not-found', status: 404 });
    }
  });

  it('rejects an unknown format with 400 and a pointer to it', async () => {
    const response = await exportOf('?format=xlsx');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Problem.parse(response.json()).errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/format' })]);
  });

  it('needs the read scope', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${model.id}/export`, headers: await t.keyWith('assign') });
    expect(response.statusCode).toBe(403);
  });

  it(`streams all ${LARGE_DATASET_CUSTOMERS.toLocaleString('en')} customers of a large dataset, in upload order`, async () => {
    const customers = Array.from({ length: LARGE_DATASET_CUSTOMERS }, (_, i) => {
      const segment = SEGMENTS[i % SEGMENTS.length]!;
      return { customer_id: `L${i}`, age: segment.age + (i % 5), income: segment.income, home_ownership: segment.home, web_visits: [14, 6, 2][i % 3]! };
    });
    const datasetId = await upload(customers);
    const response = await exportOf(`?format=csv&datasetId=${datasetId}`);
    expect(response.statusCode).toBe(200);
    const records = parseCsv(response.body);
    expect(records).toHaveLength(LARGE_DATASET_CUSTOMERS);
    expect(records.every((record, i) => record.external_id === `L${i}` && record.error === '' && record.persona_id !== '')).toBe(true);
    // Customers of the same segment share a persona all the way through, last page included.
    expect(records.at(-1)!.persona_id).toBe(records[(LARGE_DATASET_CUSTOMERS - 1) % SEGMENTS.length]!.persona_id);
  });
});
