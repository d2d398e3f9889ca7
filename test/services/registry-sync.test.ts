/**
 * Hot reload across replicas (issue 6): two or three app instances on one database, as replicas
 * behind a load balancer would run. Changes are made on replica A through the API; replica B runs
 * without the periodic check, so what it learns comes from LISTEN/NOTIFY alone.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CHANGES_APPLICATION_NAME } from '../../src/db/model-changes.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../helpers/factories.ts';

interface TrainedModel {
  id: string;
  version: number;
  personas: Array<{ id: string; name: string }>;
}

interface Answer {
  status: number;
  modelId: string | null;
  personaId: string | null;
  personaName: string | null;
}

const segmentCustomer = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function assign(t: TestApp, segment: number, query = ''): Promise<Answer> {
  const response = await t.app.inject({ method: 'POST', url: `/v1/assign${query}`, headers: t.admin, payload: { attributes: segmentCustomer(segment) } });
  const body = response.json();
  return { status: response.statusCode, modelId: body.model?.id ?? null, personaId: body.persona?.id ?? null, personaName: body.persona?.name ?? null };
}

/** Polls `check` until it holds; fails when it still does not after `withinMs`. */
async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not reached within ${withinMs} ms`);
    await sleep(10);
  }
}

async function activate(t: TestApp, modelId: string): Promise<void> {
  const response = await t.app.inject({ method: 'POST', url: `/v1/models/${modelId}/activate`, headers: t.admin });
  expect(response.statusCode).toBe(200);
}

/** Runs SQL on the shared database directly, as an operator or an old replica would: no announcement. */
async function withSql<T>(t: TestApp, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: t.database.url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe('ModelRegistry across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  let v1: TrainedModel;
  let v2: TrainedModel;

  beforeAll(async () => {
    a = await buildTestApp();
    b = await buildTestApp({ database: a.database, config: { modelSyncIntervalMs: 0 } });
    ({ model: v1 } = await trainSegmentModel(a.app, a.admin, { name: 'hot-reload', activate: false }));
    ({ model: v2 } = await trainSegmentModel(a.app, a.admin, { name: 'hot-reload', activate: false }));
    await activate(a, v1.id);
    await eventually(async () => (await assign(b, 0)).modelId === v1.id, 1_000);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('swaps in a version activated on another replica within a second, answering every request meanwhile with one whole version', async () => {
    const personasOf = new Map([v1, v2].map((model) => [model.id, new Set(model.personas.map((persona) => persona.id))]));
    const answers: Array<Answer & { startedAtMs: number; startedAfterV2WasSeen: boolean }> = [];
    let isRunning = true;
    let hasV2BeenSeen = false;
    const client = async (clientIndex: number) => {
      for (let i = 0; isRunning; i++) {
        const startedAtMs = performance.now();
        const startedAfterV2WasSeen = hasV2BeenSeen;
        const answer = await assign(b, (clientIndex + i) % 3);
        if (answer.modelId === v2.id) hasV2BeenSeen = true;
        answers.push({ ...answer, startedAtMs, startedAfterV2WasSeen });
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    await sleep(200);
    await activate(a, v2.id);
    const activatedAtMs = performance.now();
    await sleep(1_500);
    isRunning = false;
    await Promise.all(clients);

    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    const mixed = answers.filter((answer) => !personasOf.get(answer.modelId!)?.has(answer.personaId!));
    expect(mixed).toEqual([]);
    expect(answers.some((answer) => answer.modelId === v1.id)).toBe(true);
    const afterOneSecond = answers.filter((answer) => answer.startedAtMs >= activatedAtMs + 1_000);
    expect(afterOneSecond.length).toBeGreaterThan(0);
    expect(afterOneSecond.filter((answer) => answer.modelId !== v2.id)).toEqual([]);
    expect(answers.filter((answer) => answer.startedAfterV2WasSeen && answer.modelId !== v2.id)).toEqual([]);
  });

  it('follows a rollback to the previous version', async () => {
    await activate(a, v1.id);
    await eventually(async () => (await assign(b, 0)).modelId === v1.id, 1_000);
  });

  it('serves a persona renamed on another replica', async () => {
    const before = await assign(b, 1);
    const response = await a.app.inject({ method: 'PATCH', url: `/v1/personas/${before.personaId}`, headers: a.admin, payload: { name: 'Hot Reload Families' } });
    expect(response.statusCode).toBe(200);
    await eventually(async () => (await assign(b, 1)).personaName === 'Hot Reload Families', 1_000);
  });

  it('catches changes made without an announcement through the periodic check', async () => {
    const c = await buildTestApp({ database: a.database, config: { modelSyncIntervalMs: 100 } });
    try {
      expect((await assign(c, 2)).modelId).toBe(v1.id);
      await withSql(a, async (sql) => {
        await sql.query('BEGIN');
        await sql.query(`UPDATE segmentation_model SET status = 'inactive' WHERE id = $1`, [v1.id]);
        await sql.query(`UPDATE segmentation_model SET status = 'active', activated_at = clock_timestamp() WHERE id = $1`, [v2.id]);
        await sql.query('COMMIT');
      });
      await eventually(async () => (await assign(c, 2)).modelId === v2.id, 2_000);
      // Replica B has no periodic check and heard nothing: the change reached C through its check alone.
      expect((await assign(b, 2)).modelId).toBe(v1.id);
    } finally {
      await c.close();
    }
  });

  it('reconnects its listener after the connection is killed, and catches up with what it missed', async () => {
    const listenerPids = () =>
      withSql(a, async (sql) => {
        const { rows } = await sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [MODEL_CHANGES_APPLICATION_NAME]);
        return rows.map((row) => row.pid);
      });
    const killed = await listenerPids();
    expect(killed).toHaveLength(2);
    await withSql(a, (sql) => sql.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [killed]));
    await eventually(async () => {
      const pids = await listenerPids();
      return pids.length === 2 && pids.every((pid) => !killed.includes(pid));
    }, 5_000);
    // The previous test activated v2 without an announcement; B learns it by resynchronizing on reconnect.
    await eventually(async () => (await assign(b, 0)).modelId === v2.id, 1_000);
    await activate(a, v1.id);
    await eventually(async () => (await assign(b, 0)).modelId === v1.id, 1_000);
  });

  it('renames, then drops, a version it serves only on request (?model=) as another replica edits and deletes it', async () => {
    const shadow = await assign(b, 0, `?model=${v2.id}`);
    expect(shadow.modelId).toBe(v2.id);
    const renamed = await a.app.inject({ method: 'PATCH', url: `/v1/personas/${shadow.personaId}`, headers: a.admin, payload: { name: 'Shadow Renters' } });
    expect(renamed.statusCode).toBe(200);
    await eventually(async () => (await assign(b, 0, `?model=${v2.id}`)).personaName === 'Shadow Renters', 1_000);
    const deleted = await a.app.inject({ method: 'DELETE', url: `/v1/models/${v2.id}`, headers: a.admin });
    expect(deleted.statusCode).toBe(204);
    await eventually(async () => (await assign(b, 0, `?model=${v2.id}`)).status === 404, 1_000);
  });
});
