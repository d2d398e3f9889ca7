import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerAssignments } from '../../../src/schemas/customers.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../../helpers/factories.ts';

type TrainedModel = { id: string; name: string; version: number };

const segmentCustomer = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });

async function queryRows<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('GET /v1/customers/:externalId/assignments', () => {
  let t: TestApp;
  let active: TrainedModel;
  let candidate: TrainedModel;
  let otherModel: TrainedModel;

  beforeAll(async () => {
    // A long interval: the tests decide when the log is written (flush), so nothing depends on timing.
    t = await buildTestApp({ config: { assignmentLog: { sampleRate: 1, flushIntervalMs: 600_000, batchSize: 500, maxPending: 50_000 } } });
    ({ model: active } = await trainSegmentModel(t.app, t.admin, { name: 'history-model' }));
    ({ model: candidate } = await trainSegmentModel(t.app, t.admin, { name: 'history-model', activate: false }));
    ({ model: otherModel } = await trainSegmentModel(t.app, t.admin, { name: 'other-model', activate: false }));
  });
  afterAll(async () => t.close());

  const assign = async (attributes: Record<string, unknown>, options: { customerId?: string; model?: TrainedModel } = {}) => {
    const query = options.model ? `?model=${options.model.name}@${options.model.version}` : '';
    const payload = options.customerId === undefined ? { attributes } : { customerId: options.customerId, attributes };
    const response = await t.app.inject({ method: 'POST', url: `/v1/assign${query}`, headers: t.admin, payload });
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const history = (externalId: string, query = '', headers = t.admin) =>
    t.app.inject({ method: 'GET', url: `/v1/customers/${encodeURIComponent(externalId)}/assignments${query}`, headers });
  const flushLog = () => t.app.services.assignmentLog.flush();

  it("returns the customer's assignments newest first, with model version, persona, confidence and distance", async () => {
    const externalId = 'CRM/42 ä';
    const served = [];
    for (const s of [0, 0, 1]) served.push(await assign(segmentCustomer(s), { customerId: externalId }));
    await flushLog();

    const response = await history(externalId);
    expect(response.statusCode).toBe(200);
    const body = CustomerAssignments.parse(response.json());
    expect(body).toMatchObject({ externalId, total: 3, limit: 50, offset: 0 });
    expect(body.items.map((item) => ({ model: item.model, persona: item.persona, distance: item.distance, unclassified: item.unclassified }))).toEqual(
      served.reverse().map((answer) => ({ model: answer.model, persona: answer.persona, distance: answer.distance, unclassified: answer.unclassified })),
    );
    expect(body.items[0]!.model).toEqual({ id: active.id, name: 'history-model', version: active.version });
    for (const item of body.items) expect(item.confidence).toBeGreaterThan(0);
    const times = body.items.map((item) => Date.parse(item.assignedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('keeps external ids exactly, whatever characters they hold (quotes, backslashes, braces, commas, the word NULL)', async () => {
    const ids = ['q"uote', 'back\\slash', '{brace,comma}', 'NULL', ' spaced '];
    for (const id of ids) await assign(segmentCustomer(1), { customerId: id });
    await flushLog();
    for (const id of ids) {
      const response = await history(id);
      expect(response.statusCode).toBe(200);
      expect(response.json().total, id).toBe(1);
    }
  });

  it('stores only the outcome of an assignment, never the attributes', async () => {
    const sentinel = 'houseboat-sentinel-5521';
    await assign({ age: 31, home_ownership: sentinel }, { customerId: 'crm-private' });
    await flushLog();
    const columns = await queryRows<{ column_name: string }>(t.database.url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'assignment_log'");
    expect(columns.map((column) => column.column_name).sort()).toEqual(['assigned_at', 'confidence', 'distance', 'external_id', 'id', 'model_id', 'persona_id', 'unclassified']);
    const rows = await queryRows<{ row: string }>(t.database.url, "SELECT row_to_json(a)::text AS row FROM assignment_log a WHERE external_id = 'crm-private'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.row).not.toContain(sentinel);
  });

  it('logs an assignment without a customerId with a null external id', async () => {
    const countAnonymous = async () => Number((await queryRows<{ n: string }>(t.database.url, 'SELECT count(*) AS n FROM assignment_log WHERE external_id IS NULL'))[0]!.n);
    const before = await countAnonymous();
    const answer = await assign(segmentCustomer(2));
    await flushLog();
    expect(await countAnonymous()).toBe(before + 1);
    const [row] = await queryRows<{ model_id: string; persona_id: string }>(t.database.url, 'SELECT model_id, persona_id FROM assignment_log WHERE external_id IS NULL ORDER BY id DESC LIMIT 1');
    expect(row).toEqual({ model_id: answer.model.id, persona_id: answer.persona.id });
  });

  it('reports a migration when a later version places the customer in another persona, and none when a retrain keeps it', async () => {
    const first = await assign(segmentCustomer(0), { customerId: 'crm-mover', model: active });
    const moved = await assign(segmentCustomer(1), { customerId: 'crm-mover', model: candidate });
    await assign(segmentCustomer(1), { customerId: 'crm-mover', model: candidate });
    const stayedV1 = await assign(segmentCustomer(2), { customerId: 'crm-stayer', model: active });
    const stayedV2 = await assign(segmentCustomer(2), { customerId: 'crm-stayer', model: candidate });
    await flushLog();

    const mover = CustomerAssignments.parse((await history('crm-mover')).json());
    expect(mover.total).toBe(3);
    expect(mover.migrations).toEqual([
      {
        modelName: 'history-model',
        at: mover.items[1]!.assignedAt,
        from: { modelVersion: active.version, persona: first.persona },
        to: { modelVersion: candidate.version, persona: moved.persona },
      },
    ]);

    // The retrain gives the same persona a new id but keeps its key: no migration.
    expect(stayedV2.persona.id).not.toBe(stayedV1.persona.id);
    expect(stayedV2.persona.key).toBe(stayedV1.persona.key);
    const stayer = CustomerAssignments.parse((await history('crm-stayer')).json());
    expect(stayer.items.map((item) => item.model.version)).toEqual([candidate.version, active.version]);
    expect(stayer.migrations).toEqual([]);
  });

  it('never compares personas of different model names, and filters by model name', async () => {
    await assign(segmentCustomer(0), { customerId: 'crm-two-models', model: active });
    await assign(segmentCustomer(1), { customerId: 'crm-two-models', model: otherModel });
    await flushLog();
    const all = CustomerAssignments.parse((await history('crm-two-models')).json());
    expect(all.items.map((item) => item.model.name)).toEqual(['other-model', 'history-model']);
    expect(all.migrations).toEqual([]);

    const filtered = CustomerAssignments.parse((await history('crm-two-models', '?model=other-model')).json());
    expect(filtered.total).toBe(1);
    expect(filtered.items.map((item) => item.model)).toEqual([{ id: otherModel.id, name: 'other-model', version: otherModel.version }]);
  });

  it('pages with limit and offset and counts the total over all pages', async () => {
    for (let i = 0; i < 5; i++) await assign(segmentCustomer(i % 3), { customerId: 'crm-pages' });
    await flushLog();
    const whole = CustomerAssignments.parse((await history('crm-pages')).json());
    const page = CustomerAssignments.parse((await history('crm-pages', '?limit=2&offset=1')).json());
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(page.items).toEqual(whole.items.slice(1, 3));
  });

  it('answers an external id never logged with an empty history, not 404', async () => {
    const response = await history('crm-never-seen');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ externalId: 'crm-never-seen', items: [], total: 0, limit: 50, offset: 0, migrations: [] });
  });

  it('rejects a limit of 0 and unknown query parameters with a problem pointing at each', async () => {
    const response = await history('crm-pages', '?limit=0&colour=blue');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(body).toMatchObject({ type: '/problems/validation-error', status: 400 });
    expect(body.errors.map((issue: { location: string; pointer: string }) => `${issue.location} ${issue.pointer}`).sort()).toEqual(['query /colour', 'query /limit']);
  });

  it('needs the read scope', async () => {
    expect((await history('crm-pages', '', await t.keyWith('read'))).statusCode).toBe(200);
    expect((await history('crm-pages', '', await t.keyWith('assign'))).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers/crm-pages/assignments' })).statusCode).toBe(401);
  });
});

describe('assignment log writes', () => {
  it('writes the assignments still waiting when the app closes', async () => {
    const t = await buildTestApp({ config: { assignmentLog: { sampleRate: 1, flushIntervalMs: 600_000, batchSize: 500, maxPending: 50_000 } } });
    try {
      await trainSegmentModel(t.app, t.admin, { name: 'shutdown-model' });
      for (let i = 0; i < 3; i++) {
        const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { customerId: 'crm-late', attributes: segmentCustomer(i) } });
        expect(response.statusCode).toBe(200);
      }
      expect(t.app.services.assignmentLog.stats.pending).toBe(3);
      await t.app.close();
      const rows = await queryRows<{ n: string }>(t.database.url, "SELECT count(*) AS n FROM assignment_log WHERE external_id = 'crm-late'");
      expect(Number(rows[0]!.n)).toBe(3);
    } finally {
      await t.database.drop();
    }
  });

  it('skips the entries of a model version deleted before they were written and writes the rest of the batch', async () => {
    const t = await buildTestApp({ config: { assignmentLog: { sampleRate: 1, flushIntervalMs: 600_000, batchSize: 500, maxPending: 50_000 } } });
    try {
      const { model: kept } = await trainSegmentModel(t.app, t.admin, { name: 'kept-model' });
      const { model: doomed } = await trainSegmentModel(t.app, t.admin, { name: 'doomed-model', activate: false });
      for (const model of [doomed, kept, doomed]) {
        const response = await t.app.inject({ method: 'POST', url: `/v1/assign?model=${model.id}`, headers: t.admin, payload: { customerId: 'crm-doomed', attributes: segmentCustomer(0) } });
        expect(response.statusCode).toBe(200);
      }
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/models/${doomed.id}`, headers: t.admin })).statusCode).toBe(204);
      await t.app.services.assignmentLog.flush();
      expect(t.app.services.assignmentLog.stats).toMatchObject({ recorded: 3, written: 1, failed: 0 });
      const history = CustomerAssignments.parse((await t.app.inject({ method: 'GET', url: '/v1/customers/crm-doomed/assignments', headers: t.admin })).json());
      expect(history.items.map((item) => item.model.id)).toEqual([kept.id]);
    } finally {
      await t.close();
    }
  });

  it('records nothing when the sampling rate is 0', async () => {
    const t = await buildTestApp({ config: { assignmentLog: { sampleRate: 0, flushIntervalMs: 1000, batchSize: 500, maxPending: 50_000 } } });
    try {
      await trainSegmentModel(t.app, t.admin, { name: 'unlogged-model' });
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { customerId: 'crm-unlogged', attributes: segmentCustomer(0) } });
      expect(response.statusCode).toBe(200);
      await t.app.close();
      const rows = await queryRows<{ n: string }>(t.database.url, 'SELECT count(*) AS n FROM assignment_log');
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await t.database.drop();
    }
  });
});
