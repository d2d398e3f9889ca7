/**
 * Rollback, concurrent activations and aliases across replicas (issue 7): two app instances on one
 * database. Replica B runs without the periodic check, so what it learns of A's changes comes from
 * LISTEN/NOTIFY alone.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../helpers/factories.ts';

const NAME = 'lifecycle';
const customer = { age: SEGMENTS[1]!.age, income: SEGMENTS[1]!.income, home_ownership: SEGMENTS[1]!.home, web_visits: 6 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The model version that answers /v1/assign on a replica (null with the status for an error). */
async function servedBy(t: TestApp, model?: string): Promise<{ status: number; modelId: string | null }> {
  const query = model === undefined ? '' : `?model=${encodeURIComponent(model)}`;
  const response = await t.app.inject({ method: 'POST', url: `/v1/assign${query}`, headers: t.admin, payload: { attributes: customer } });
  return { status: response.statusCode, modelId: response.json().model?.id ?? null };
}

/** Polls `check` until it holds; fails when it still does not after `withinMs`. */
async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not reached within ${withinMs} ms`);
    await sleep(10);
  }
}

describe('model lifecycle across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  let v1: { id: string; version: number };
  let v2: { id: string; version: number };

  const activeInDatabase = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: a.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(`SELECT id FROM segmentation_model WHERE name = $1 AND status = 'active'`, [NAME]);
      return rows.map((row) => row.id);
    } finally {
      await client.end();
    }
  };
  const activate = (t: TestApp, id: string) => t.app.inject({ method: 'POST', url: `/v1/models/${id}/activate`, headers: t.admin });

  beforeAll(async () => {
    a = await buildTestApp({ config: { defaultModel: NAME } });
    b = await buildTestApp({ database: a.database, config: { defaultModel: NAME, modelSyncIntervalMs: 0 } });
    ({ model: v1 } = await trainSegmentModel(a.app, a.admin, { name: NAME, activate: false }));
    ({ model: v2 } = await trainSegmentModel(a.app, a.admin, { name: NAME, activate: false }));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('leaves exactly one active version when two replicas activate different versions at once, and both serve it', async () => {
    for (let round = 0; round < 6; round++) {
      const [onA, onB] = round % 2 === 0 ? [v1, v2] : [v2, v1];
      const responses = await Promise.all([activate(a, onA.id), activate(b, onB.id)]);
      expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
      const active = await activeInDatabase();
      expect(active).toHaveLength(1);
      await eventually(async () => (await servedBy(a)).modelId === active[0] && (await servedBy(b)).modelId === active[0], 1_000);
    }
  });

  it('serves a rollback made on replica A on replica B within a second', async () => {
    expect((await activate(a, v1.id)).statusCode).toBe(200);
    expect((await activate(a, v2.id)).statusCode).toBe(200);
    await eventually(async () => (await servedBy(b)).modelId === v2.id, 1_000);

    const rolledBack = await a.app.inject({ method: 'POST', url: `/v1/models/${NAME}/rollback`, headers: a.admin });
    expect(rolledBack.statusCode).toBe(200);
    expect(rolledBack.json().activated.id).toBe(v1.id);
    expect(await servedBy(a)).toEqual({ status: 200, modelId: v1.id });
    await eventually(async () => (await servedBy(b)).modelId === v1.id, 1_000);
    expect(await servedBy(b, NAME)).toEqual({ status: 200, modelId: v1.id });
  });

  it('serves an alias set, moved and removed on replica A on replica B', async () => {
    const alias = `${NAME}@challenger`;
    const put = (payload: object) => a.app.inject({ method: 'PUT', url: `/v1/models/${NAME}/aliases/challenger`, headers: a.admin, payload });

    expect((await put({ version: v2.version })).statusCode).toBe(200);
    expect(await servedBy(a, alias)).toEqual({ status: 200, modelId: v2.id });
    await eventually(async () => (await servedBy(b, alias)).modelId === v2.id, 1_000);

    // Once B has synchronized it holds the alias in memory: only an announcement can tell it that the alias moved.
    await b.app.services.registry.synchronize();
    expect((await put({ version: v1.version })).statusCode).toBe(200);
    expect(await servedBy(a, alias)).toEqual({ status: 200, modelId: v1.id });
    await eventually(async () => (await servedBy(b, alias)).modelId === v1.id, 1_000);

    const removed = await a.app.inject({ method: 'DELETE', url: `/v1/models/${NAME}/aliases/challenger`, headers: a.admin });
    expect(removed.statusCode).toBe(204);
    expect((await servedBy(a, alias)).status).toBe(404);
    await eventually(async () => (await servedBy(b, alias)).status === 404, 1_000);
  });

  it('records changes made on either replica in one history, with each key’s name', async () => {
    const response = await b.app.inject({ method: 'GET', url: `/v1/models/${NAME}/history?limit=500`, headers: b.admin });
    expect(response.statusCode).toBe(200);
    const events = response.json().items as Array<{ kind: string; actor: string }>;
    // 12 concurrent activations, 2 activations, a rollback, two alias settings and a removal.
    expect(events).toHaveLength(18);
    expect(events.slice(0, 4).map((event) => event.kind)).toEqual(['alias_removed', 'alias_set', 'alias_set', 'rolled_back']);
    expect(new Set(events.map((event) => event.actor))).toEqual(new Set(['test admin']));
  });
});
