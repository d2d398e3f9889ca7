import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { segmentUpload, trainSegmentModel } from '../helpers/factories.ts';

/** A value no log line may contain: if it shows up, customer data or a secret leaked. */
const SENTINEL = 'SENTINEL-7c1e9b';

describe('logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ captureLogs: true });
    await trainSegmentModel(t.app, t.admin);
  });
  afterAll(async () => t.close());

  it('carry request ids, route patterns and statuses, never customer attributes, query strings or keys', async () => {
    t.logLines.length = 0;
    const { key } = await t.app.services.apiKeys.create(`key-${SENTINEL}`.slice(0, 3), ['admin']);
    const auth = { authorization: `Bearer ${key}` };
    await t.app.inject({ method: 'POST', url: '/v1/assign', headers: auth, payload: { customerId: `${SENTINEL}-id`, attributes: { age: 30, home_ownership: `${SENTINEL}-home` } } });
    await t.app.inject({ method: 'POST', url: '/v1/assign', headers: auth, payload: { attributes: { [`${SENTINEL}-feature`]: 1 } } });
    await t.app.inject({ method: 'GET', url: `/v1/personas?model=${SENTINEL}`, headers: auth });
    await t.app.inject({ method: 'GET', url: `/v1/unknown?email=${SENTINEL}` });
    const upload = segmentUpload(2);
    upload.customers[0]!.home_ownership = `${SENTINEL}-upload`;
    await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: auth, payload: upload });
    await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: { ...auth, 'content-type': 'text/csv' }, payload: `id,x\n1,${SENTINEL}\n2,\n3` });
    await t.app.inject({ method: 'POST', url: '/v1/assign', headers: { authorization: `Bearer ${SENTINEL}` }, payload: { attributes: { age: 1 } } });

    const logs = t.logLines.join('\n');
    expect(t.logLines.length).toBeGreaterThan(10);
    expect(logs).not.toContain(SENTINEL);
    expect(logs).not.toContain(key);
    const completed = t.logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request completed');
    expect(completed.length).toBeGreaterThanOrEqual(7);
    expect(completed[0]).toMatchObject({ reqId: expect.any(String), res: { statusCode: 200 } });
    const incoming = t.logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'incoming request');
    expect(incoming.req).toEqual({ id: incoming.reqId, method: 'POST', route: '/v1/assign' });
  });
});

describe('access logs at LOG_LEVEL=info', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { logLevel: 'info' } });
    await trainSegmentModel(t.app, t.admin);
  });
  afterAll(async () => t.close());

  it('keep fast successes out of the log (the hot path writes nothing) and log every failure', async () => {
    t.logLines.length = 0;
    for (let i = 0; i < 5; i++) await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 30 } } });
    expect(t.logLines.filter((line) => line.includes('"request completed"'))).toEqual([]);
    await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { shoe_size: 3 } } });
    const completed = t.logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ level: 30, res: { statusCode: 400 }, req: { method: 'POST', route: '/v1/assign' } });
  });
});
