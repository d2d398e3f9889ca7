/**
 * GET /v1/models/:id/drift on the demo insurance book: customers like the training ones are stable,
 * customers twenty years older drift on age; the PSI is the one the bins give.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook } from '../../../src/demo/insurance-book.ts';
import { DriftReport } from '../../../src/schemas/drift.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.ts';
import type { WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import type { TestApp } from '../../helpers/app.ts';

const customers = generateInsuranceBook({ customers: 400, seed: 2028 }).customers.map(({ customer_id: _id, ...attributes }) => attributes);

describe('GET /v1/models/:id/drift', () => {
  let t: TestApp;
  let modelId: string;

  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await buildTestApp({ config: { webhooks: { dispatchIntervalMs: 20, timeoutMs: 2_000, retryBaseMs: 100, maxAttempts: 3 } } });
    receiver = await startWebhookReceiver();
    const subscribed = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.admin, payload: { url: receiver.url, eventTypes: ['model.drift_detected'] } });
    expect(subscribed.statusCode, subscribed.body).toBe(201);
    await t.app.services.demo.seedIfEmpty();
    modelId = (await t.app.services.registry.resolve()).id;
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const assign = (attributes: Record<string, unknown>, model = modelId) => t.app.inject({ method: 'POST', url: `/v1/assign?model=${model}`, headers: t.admin, payload: { attributes } });
  const drift = async (id: string, query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${id}/drift${query}`, headers: t.admin });
    expect(response.statusCode, response.body).toBe(200);
    return DriftReport.parse(response.json());
  };

  it('has no verdict before traffic', async () => {
    const report = await drift(modelId);
    expect(report).toMatchObject({ observations: 0, verdict: 'insufficient data', personas: { psi: null } });
  });

  it('finds customers like the training ones stable, counting this replica’s unwritten hour and then the stored one once', async () => {
    for (const customer of customers) await assign(customer);
    const before = await drift(modelId);
    expect(before.observations).toBe(customers.length);
    await t.app.services.drift.recorder.flush();
    const report = await drift(modelId);
    expect(report.observations).toBe(customers.length);
    expect(report.verdict).toBe('stable');
    for (const feature of report.features) {
      expect(feature.psi, feature.feature).toBeLessThan(0.1);
      expect(feature.bins.reduce((sum, bin) => sum + bin.expected, 0)).toBeCloseTo(1, 9);
    }
    const age = report.features.find((feature) => feature.feature === 'age')!;
    expect(age.bins).toHaveLength(10);
    expect(age.bins[0]!.bin).toMatch(/^below \d+/);
  });

  it('finds customers twenty years older drifted on age, not on income, with the PSI their bins give', async () => {
    const retrained = (await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'insurance-demo', datasetId: (await t.app.inject({ method: 'GET', url: `/v1/models/${modelId}`, headers: t.admin })).json().datasetId, k: 5, seed: 42 } })).json();
    for (const customer of customers) await assign({ ...customer, age: customer.age + 20 }, retrained.id);
    const report = await drift(retrained.id);
    const age = report.features.find((feature) => feature.feature === 'age')!;
    expect(age.verdict).toBe('drifted');
    expect(report.verdict).toBe('drifted');
    // By hand from the returned bins: Σ (a − e) ln(a / e), shares floored at 1e-4.
    const psi = age.bins.reduce((sum, { expected, actual }) => {
      const [e, a] = [Math.max(1e-4, expected), Math.max(1e-4, actual)];
      return sum + (a - e) * Math.log(a / e);
    }, 0);
    expect(age.psi).toBeCloseTo(psi, 9);
    expect(report.personas.shares.reduce((sum, share) => sum + share.shift, 0)).toBeCloseTo(0, 9);
    const income = report.features.find((feature) => feature.feature === 'income')!;
    expect(income.psi).toBeLessThan(0.1);

    // Written at the hour: the drift of the last 24 hours raises model.drift_detected, once a day.
    await t.app.services.drift.recorder.flush();
    // The BI view of drift by day computes the same PSI from the stored counts.
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    const { rows } = await client.query("SELECT feature, observations, psi, verdict FROM bi_drift_by_day WHERE model_id = $1 AND feature IN ('age', '(persona mix)') ORDER BY feature", [retrained.id]);
    await client.end();
    expect(rows.map((row) => row.feature)).toEqual(['(persona mix)', 'age']);
    expect(rows[1]).toMatchObject({ observations: String(customers.length), verdict: 'drifted' });
    expect(rows[1].psi).toBeCloseTo(age.psi!, 9);
    expect(rows[0].psi).toBeCloseTo(report.personas.psi!, 9);
    const [alert] = await receiver.waitFor(1);
    const event = JSON.parse(alert!.rawBody);
    expect(event).toMatchObject({ type: 'model.drift_detected', data: { model: { id: retrained.id }, verdict: 'drifted', observations: customers.length } });
    expect(event.data.features.map((feature: { feature: string }) => feature.feature)).toContain('age');
    expect(event.data.features.map((feature: { feature: string }) => feature.feature)).not.toContain('income');
    for (const customer of customers.slice(0, 50)) await assign({ ...customer, age: customer.age + 20 }, retrained.id);
    await t.app.services.drift.recorder.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.filter((request) => JSON.parse(request.rawBody).data.model.id === retrained.id)).toHaveLength(1);
  });

  it('adds the counts of every flush (as replicas writing the same hour do)', async () => {
    const before = (await drift(modelId)).observations;
    await t.app.services.drift.recorder.flush();
    for (const customer of customers.slice(0, 10)) await assign(customer);
    await t.app.services.drift.recorder.flush();
    expect((await drift(modelId)).observations).toBe(before + 10);
  });

  it('rejects a window that ends before it starts, pointing at from', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${modelId}/drift?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z`, headers: t.admin });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ location: 'query', pointer: '/from' });
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/models/00000000-0000-4000-8000-000000000000/drift', headers: t.admin });
    expect(unknown.statusCode).toBe(404);
  });
});
