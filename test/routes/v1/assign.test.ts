import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { AssignResponse } from '../../../src/schemas/assign.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../../helpers/factories.ts';

describe('POST /v1/assign', () => {
  let t: TestApp;
  let model: { id: string; name: string; version: number; personas: Array<{ id: string; key: string; name: string }> };

  beforeAll(async () => {
    t = await buildTestApp();
    ({ model } = await trainSegmentModel(t.app, t.admin, { name: 'assign-model' }));
  });
  afterAll(async () => t.close());

  const assign = (payload: unknown, query = '', headers = t.admin) => t.app.inject({ method: 'POST', url: `/v1/assign${query}`, headers, payload: payload as object });
  const segmentCustomer = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });

  it('returns the nearest persona with its distance, the model and the features used', async () => {
    const response = await assign({ customerId: 'crm-1', attributes: segmentCustomer(0) });
    expect(response.statusCode).toBe(200);
    const body = AssignResponse.parse(response.json());
    expect(body.customerId).toBe('crm-1');
    expect(body.model).toEqual({ id: model.id, name: 'assign-model', version: model.version });
    expect(model.personas.map((p) => p.id)).toContain(body.persona.id);
    expect(body.persona.name).toMatch(/Renters/);
    expect(body.distance).toBeLessThan(1);
    expect(body.featuresUsed.sort()).toEqual(['age', 'home_ownership', 'income', 'web_visits']);
    expect(body.featuresMissing).toEqual([]);
    expect(body.warnings).toEqual([]);
  });

  it('places each planted segment in a different persona', async () => {
    const personas = await Promise.all([0, 1, 2].map(async (s) => (await assign({ attributes: segmentCustomer(s) })).json().persona.id));
    expect(new Set(personas).size).toBe(3);
  });

  it('assigns from one feature alone (cold start) and lists the missing ones', async () => {
    const full = (await assign({ attributes: segmentCustomer(2) })).json();
    const response = await assign({ attributes: { age: SEGMENTS[2].age } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.persona.id).toBe(full.persona.id);
    expect(body.featuresUsed).toEqual(['age']);
    expect(body.featuresMissing.sort()).toEqual(['home_ownership', 'income', 'web_visits']);
  });

  it('treats null attributes as missing', async () => {
    const body = (await assign({ attributes: { age: 30, income: null } })).json();
    expect(body.featuresUsed).toEqual(['age']);
  });

  it('warns about a category not seen in training instead of failing', async () => {
    const response = await assign({ attributes: { age: 40, home_ownership: 'houseboat' } });
    expect(response.statusCode).toBe(200);
    expect(response.json().warnings).toEqual(['"home_ownership" value was not seen in training; it counts as none of the known categories']);
  });

  it('rejects unknown feature names and wrong types together, with pointers', async () => {
    const response = await assign({ attributes: { age: 'thirty', shoe_size: 42, home_ownership: { nested: true } } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const pointers = response.json().errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/attributes/home_ownership']));
  });

  it('rejects a numeric feature given as text with a pointer to it', async () => {
    const response = await assign({ attributes: { age: 'thirty', shoe_size: 42 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { location: 'body', pointer: '/attributes/age', code: 'expected_number', message: '"age" must be a number' },
      { location: 'body', pointer: '/attributes/shoe_size', code: 'unknown_feature', message: `model assign-model v${model.version} has no feature "shoe_size"` },
    ]);
  });

  it('rejects numbers too large to standardize', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: { ...t.admin, 'content-type': 'application/json' }, payload: '{"attributes":{"age":1e300}}' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ pointer: '/attributes/age', code: 'out_of_range' });
  });

  it('rejects a request without any feature of the model', async () => {
    const response = await assign({ attributes: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ pointer: '/attributes', code: 'no_features' });
  });

  it('serves another version named with ?model=name@version for shadow tests', async () => {
    const second = await trainSegmentModel(t.app, t.admin, { name: 'assign-model', activate: false });
    const response = await assign({ attributes: segmentCustomer(1) }, `?model=assign-model@${second.model.version}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().model).toEqual({ id: second.model.id, name: 'assign-model', version: second.model.version });
    const byId = await assign({ attributes: segmentCustomer(1) }, `?model=${second.model.id}`);
    expect(byId.json().model.id).toBe(second.model.id);
  });

  it('answers 404 for a model reference that does not exist', async () => {
    const response = await assign({ attributes: { age: 30 } }, '?model=assign-model@99');
    expect(response.statusCode).toBe(404);
    expect(response.json().detail).toBe('model assign-model has no version 99');
  });

  it('needs the assign scope; a read-only key gets 403', async () => {
    const assigner = await t.keyWith('assign');
    expect((await assign({ attributes: { age: 30 } }, '', assigner)).statusCode).toBe(200);
    const reader = await t.keyWith('read');
    expect((await assign({ attributes: { age: 30 } }, '', reader)).statusCode).toBe(403);
  });
});

describe('POST /v1/assign without an active model', () => {
  it('answers 503 no-active-model with what to do', async () => {
    const t = await buildTestApp();
    try {
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 30 } } });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ type: '/problems/no-active-model', status: 503, detail: expect.stringContaining('POST /v1/models') });
    } finally {
      await t.close();
    }
  });
});

describe('POST /v1/assign while the database is unreachable', () => {
  it('keeps answering from the in-memory model (no database round trip on the hot path)', async () => {
    const t = await buildTestApp();
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    try {
      await trainSegmentModel(t.app, t.admin);
      // Warm the key cache, as any first request does.
      expect((await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 30 } } })).statusCode).toBe(200);
      await admin.query(`ALTER DATABASE ${t.database.name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [t.database.name]);

      const readiness = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(readiness.statusCode).toBe(503);
      expect(readiness.json().checks.database).toBe('unreachable');
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 68, home_ownership: 'own' } } });
      expect(response.statusCode).toBe(200);
      expect(response.json().persona.name).toMatch(/Senior/);
    } finally {
      await admin.query(`ALTER DATABASE ${t.database.name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await t.close();
    }
  });
});

describe('POST /v1/assign with DEFAULT_MODEL', () => {
  it('serves the configured model without ?model=, even when another was activated later', async () => {
    const t = await buildTestApp({ config: { defaultModel: 'pinned' } });
    try {
      const pinned = await trainSegmentModel(t.app, t.admin, { name: 'pinned' });
      await trainSegmentModel(t.app, t.admin, { name: 'newer' });
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 30 } } });
      expect(response.json().model).toMatchObject({ id: pinned.model.id, name: 'pinned' });
    } finally {
      await t.close();
    }
  });

  it('serves the most recently activated model when no default is configured', async () => {
    const t = await buildTestApp();
    try {
      await trainSegmentModel(t.app, t.admin, { name: 'older' });
      const newer = await trainSegmentModel(t.app, t.admin, { name: 'newer' });
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 30 } } });
      expect(response.json().model).toMatchObject({ id: newer.model.id, name: 'newer' });
    } finally {
      await t.close();
    }
  });
});
