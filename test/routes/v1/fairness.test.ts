/**
 * Protected attributes and the fairness audit through the API: declared at upload, kept out of the
 * features (422 when named without an override; the override stored with who asked), audited at
 * training and served at GET /v1/models/{id}/fairness; strict governance refuses to activate a version
 * whose audit does not pass unless an override reason is given, which the history records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/engine/index.ts';
import { FairnessReport, ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';

const REGIONS = ['Z1', 'Z2', 'Z3', 'Z4'];

/**
 * Customers with a zip-like region, a spend, an age and a protected group, products (GOLD marked
 * high-cost) and purchases. With `proxy`, group A lives in Z1/Z2 and group B in Z3/Z4 nine times in
 * ten, and GOLD is bought in Z3/Z4 only; otherwise the group is independent of everything.
 */
function upload(proxy: boolean, seed: number) {
  const random = createRandom(seed);
  const customers = Array.from({ length: 800 }, (_, i) => {
    const group = random.nextFloat() < 0.5 ? 'A' : 'B';
    const north = proxy ? (group === 'A') === random.nextFloat() < 0.9 : random.nextFloat() < 0.5;
    return { id: `C${i}`, region: REGIONS[(north ? 0 : 2) + random.nextInt(2)]!, spend: Math.round(100 + 20 * random.nextGaussian()), age: 20 + random.nextInt(50), group };
  });
  const interactions = customers.flatMap((customer) => {
    const south = customer.region === 'Z3' || customer.region === 'Z4';
    const gold = proxy ? south && random.nextFloat() < 0.5 : random.nextFloat() < 0.3;
    return [...(gold ? [{ customerId: customer.id, productId: 'GOLD' }] : []), ...(random.nextFloat() < 0.3 ? [{ customerId: customer.id, productId: 'BASIC' }] : [])];
  });
  return {
    name: proxy ? 'zip proxy' : 'independent',
    idColumn: 'id',
    protectedAttributes: ['group'],
    customers,
    products: [
      { id: 'GOLD', name: 'Gold cover', attributes: { highCost: true } },
      { id: 'BASIC', name: 'Basic cover', attributes: { high_cost: false } },
    ],
    interactions,
  };
}

describe('fairness audit', () => {
  let t: TestApp;
  let proxyDataset: string;
  let independentDataset: string;

  const train = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { stabilityResamples: 0, seed: 3, ...payload } });
  const fairness = async (id: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${id}/fairness`, headers: t.admin });
    expect(response.statusCode, response.body).toBe(200);
    return FairnessReport.parse(response.json());
  };

  beforeAll(async () => {
    t = await buildTestApp();
    const post = async (payload: ReturnType<typeof upload>) => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload });
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { id: string; protectedAttributes: string[] };
    };
    const proxy = await post(upload(true, 1));
    expect(proxy.protectedAttributes).toEqual(['group']);
    proxyDataset = proxy.id;
    independentDataset = (await post(upload(false, 2))).id;
  }, 60_000);
  afterAll(async () => t?.close());

  describe('POST /v1/datasets with protectedAttributes', () => {
    it('refuses a protected attribute that is not a column, pointing at it', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/datasets?protectedAttributes=region,gender',
        headers: { ...t.admin, 'content-type': 'text/csv' },
        payload: 'id,region,spend\n1,Z1,10\n2,Z2,20\n',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/protectedAttributes/1', code: 'unknown_column' })]);
    });

    it('points at the attribute as sent, repeats included', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/datasets?protectedAttributes=region,region,gender',
        headers: { ...t.admin, 'content-type': 'text/csv' },
        payload: 'id,region,spend\n1,Z1,10\n2,Z2,20\n',
      });
      expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/protectedAttributes/2', code: 'unknown_column' })]);
    });
  });

  describe('when a zip-like region predicts the protected group and the personas are built on it', () => {
    let model: ReturnType<typeof ModelDetail.parse>;
    let report: ReturnType<typeof FairnessReport.parse>;

    beforeAll(async () => {
      const response = await train({ name: 'zip-proxy', datasetId: proxyDataset, features: ['region'], k: 4 });
      expect(response.statusCode, response.body).toBe(201);
      model = ModelDetail.parse(response.json());
      report = await fairness(model.id);
    }, 60_000);

    it('records the protected attributes with the model and keeps them out of the features', () => {
      expect(model.parameters.protectedAttributes).toEqual(['group']);
      expect(model.parameters.features).toEqual(['region']);
      expect(model.parameters.includeProtected).toBeNull();
    });

    it('names region as the proxy and fails composition and steering', () => {
      expect(report.status).toBe('audited');
      const proxies = report.checks!.proxies.attributes[0]!;
      expect(proxies.proxies).toEqual(['region']);
      expect(proxies.verdict).toBe('fail');
      expect(report.checks!.composition.verdict).toBe('fail');
      expect(report.checks!.composition.attributes[0]!.cramersVCorrected).toBeGreaterThan(0.5);
      // GOLD (highCost: true) is the top product of the Z3 and Z4 personas: mostly group B.
      expect(report.highCostPersonas).toHaveLength(2);
      expect(report.highCostPersonas.every((persona) => persona.because.some((reason) => reason.includes('"Gold cover" (GOLD)')))).toBe(true);
      expect(report.checks!.steering.attributes[0]!.ratio).toBeLessThan(0.3);
      expect(report.checks!.steering.verdict).toBe('fail');
      expect(report.verdict).toBe('fail');
      expect(report.reason).toMatch(/^composition fail \(group\)/);
      expect(report.checks!.composition.reason).toMatch(/^group: personas are associated with group/);
      expect(report.thresholds).toEqual({ compositionReviewV: 0.1, compositionFailV: 0.3, fourFifthsReview: 0.9, fourFifthsFail: 0.8, proxyReviewLift: 0.1, proxyFailLift: 0.2, proxyFeatureV: 0.2, minGroupSize: 30 });
    });

    it('audits a merged version too', async () => {
      const merged = await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/merge`, headers: t.admin, payload: { personas: [model.personas[0]!.id, model.personas[1]!.id] } });
      expect(merged.statusCode, merged.body).toBe(201);
      const version = ModelDetail.parse(merged.json());
      expect(version.parameters.protectedAttributes).toEqual(['group']);
      const audit = await fairness(version.id);
      expect(audit.status).toBe('audited');
      expect(audit.checks!.composition.attributes[0]!.personas).toHaveLength(3);
      expect(audit.checks!.proxies.attributes[0]!.proxies).toEqual(['region']);
    }, 60_000);

    it('still activates it in standard governance mode', async () => {
      const response = await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: t.admin });
      expect(response.statusCode, response.body).toBe(200);
    });
  });

  describe('when the protected group is independent of the features', () => {
    it('passes every check, and warns about an undeclared feature that looks protected', async () => {
      const response = await train({ name: 'independent', datasetId: independentDataset, k: 3 });
      expect(response.statusCode, response.body).toBe(201);
      const model = ModelDetail.parse(response.json());
      expect(model.parameters.features).toEqual(['region', 'spend', 'age']);
      expect(model.metrics.warnings).toContainEqual(expect.stringMatching(/^feature "age" looks like a protected attribute/));
      const report = await fairness(model.id);
      expect(report.checks!.composition.verdict).toBe('pass');
      expect(report.checks!.steering.verdict).toBe('pass');
      expect(report.checks!.proxies.verdict).toBe('pass');
      expect(report.verdict).toBe('pass');
    });
  });

  describe('POST /v1/models with protected features', () => {
    it('refuses a protected attribute named in features without an override (422, pointer into /features)', async () => {
      const response = await train({ name: 'refused', datasetId: independentDataset, features: ['region', 'group'], k: 2 });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/features/1', code: 'protected_attribute' })]);
    });

    it('also refuses one declared in the request only', async () => {
      const response = await train({ name: 'refused', datasetId: independentDataset, features: ['region', 'age'], protectedAttributes: ['age'], k: 2 });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/features/1', code: 'protected_attribute' })]);
    });

    it('accepts it with an override, stored with the reason and the caller, and audits it as a feature', async () => {
      const reason = 'group membership is the product eligibility rule';
      const response = await train({ name: 'overridden', datasetId: independentDataset, features: ['region', 'group'], includeProtected: { columns: ['group'], reason }, k: 2 });
      expect(response.statusCode, response.body).toBe(201);
      const model = ModelDetail.parse(response.json());
      expect(model.parameters.includeProtected).toEqual({ columns: ['group'], reason, by: 'test admin' });
      const report = await fairness(model.id);
      expect(report.includeProtected).toEqual({ columns: ['group'], reason, by: 'test admin' });
      expect(report.protectedAttributes[0]).toMatchObject({ name: 'group', isFeature: true });
      // The group is itself a feature now; the proxy classifier sees only the other features (region,
      // independent of the group here), so it does not just find the group in its own input.
      const proxy = report.checks!.proxies.attributes[0]!;
      expect(proxy.classifier.lift).toBeLessThan(0.1);
      expect(proxy.features.map((feature) => feature.feature)).not.toContain('group');
      // The override is an admin action of its own in the audit trail, with the caller and the reason.
      const trail = (await t.app.inject({ method: 'GET', url: '/v1/audit?action=model.train', headers: t.admin })).json();
      expect(trail.items[0]).toMatchObject({ actor: 'test admin', target: { type: 'model', id: 'overridden' }, details: { includeProtected: ['group'], reason } });
    });

    it('refuses an override of a column that is not protected (400)', async () => {
      const response = await train({ name: 'refused', datasetId: independentDataset, includeProtected: { columns: ['spend'], reason: 'because' }, k: 2 });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/includeProtected/columns/0', code: 'not_protected' })]);
    });
  });

  describe('GET /v1/models/{id}/fairness', () => {
    it('answers 200 "not_audited" for a version trained without protected attributes', async () => {
      const csv = ['id,spend,visits', ...Array.from({ length: 60 }, (_, i) => `${i},${(i * 37) % 100},${(i * 11) % 7}`)].join('\n');
      const dataset = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });
      const model = ModelDetail.parse((await train({ name: 'plain', datasetId: dataset.json().id, k: 2 })).json());
      const report = await fairness(model.id);
      expect(report).toMatchObject({ status: 'not_audited', verdict: null, checks: null, protectedAttributes: [] });
      expect(report.reason).toMatch(/^not audited: no protected attributes declared/);
    });

    it('answers 404 for an unknown model and needs the read scope', async () => {
      const unknown = await t.app.inject({ method: 'GET', url: '/v1/models/00000000-0000-4000-8000-000000000000/fairness', headers: t.admin });
      expect(unknown.statusCode).toBe(404);
      const assignOnly = await t.keyWith('assign');
      const forbidden = await t.app.inject({ method: 'GET', url: '/v1/models/00000000-0000-4000-8000-000000000000/fairness', headers: assignOnly });
      expect(forbidden.statusCode).toBe(403);
    });
  });
});

describe('strict governance mode', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ config: { governanceMode: 'strict', jobs: { isWorker: true, heartbeatSeconds: 10, pollSeconds: 0.5 } } });
  });
  afterAll(async () => t?.close());

  it('refuses to activate a version whose audit fails, unless an override reason is given, which the history records', async () => {
    const dataset = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: upload(true, 1) });
    const trained = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'strict', datasetId: dataset.json().id, features: ['region'], k: 4, seed: 3, stabilityResamples: 0 } });
    const model = ModelDetail.parse(trained.json());
    const activate = (payload?: { override: { reason: string } }) => t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: t.admin, ...(payload === undefined ? {} : { payload }) });

    const refused = await activate();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/^strict governance: the fairness audit of strict v1 is "fail" — composition fail \(group\).*send \{ "override": \{ "reason": "…" \} \}/);
    expect((await t.app.inject({ method: 'GET', url: `/v1/models/${model.id}`, headers: t.admin })).json().status).toBe('candidate');

    const reason = 'region-based personas reviewed with compliance, ticket GOV-12';
    const allowed = await activate({ override: { reason } });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect(allowed.json().activated.status).toBe('active');
    const history = (await t.app.inject({ method: 'GET', url: '/v1/models/strict/history', headers: t.admin })).json();
    expect(history.items[0]).toMatchObject({ kind: 'activated', actor: 'test admin', reason, to: { id: model.id, version: 1 } });
    const trail = (await t.app.inject({ method: 'GET', url: '/v1/audit?action=model.activate', headers: t.admin })).json();
    expect(trail.items).toHaveLength(1);
    expect(trail.items[0]).toMatchObject({ actor: 'test admin', status: 200, target: { type: 'model', id: model.id }, details: { fairnessOverride: reason } });
  }, 60_000);

  it('refuses a version that was not audited (no protected attributes declared)', async () => {
    const csv = ['id,spend,visits', ...Array.from({ length: 60 }, (_, i) => `${i},${(i * 37) % 100},${(i * 11) % 7}`)].join('\n');
    const dataset = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });
    const trained = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'unaudited', datasetId: dataset.json().id, k: 2, stabilityResamples: 0 } });
    const response = await t.app.inject({ method: 'POST', url: `/v1/models/${trained.json().id}/activate`, headers: t.admin });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toMatch(/was not audited for fairness \(no protected attributes declared\)/);
  }, 60_000);

  it('keeps a scheduled version whose audit fails as a candidate (when-not-worse never overrides)', async () => {
    const dataset = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: { ...upload(true, 4), name: 'scheduled' } });
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/schedules',
      headers: t.admin,
      payload: { modelName: 'strict-scheduled', cron: '0 3 * * *', datasetId: dataset.json().id, training: { features: ['region'], k: 4, seed: 3, stabilityResamples: 0 }, activationPolicy: 'when-not-worse' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const [jobId] = await t.app.services.schedules.tick(new Date(new Date(created.json().nextRunAt).getTime() + 1_000));
    const deadline = Date.now() + 60_000;
    let job = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.admin })).json();
    while (job.status !== 'completed' && job.status !== 'failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.admin })).json();
    }
    expect(job.status).toBe('completed');
    // Without governance the first version of a name is activated ("no version was active").
    expect(job.activationNote).toMatch(/^kept as a candidate: strict governance: the fairness audit of strict-scheduled v1 is "fail"/);
    expect((await t.app.inject({ method: 'GET', url: `/v1/models/${job.model.id}`, headers: t.admin })).json().status).toBe('candidate');
  }, 90_000);
});
