import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, testConfig } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('per-key rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { rateLimit: { ...testConfig().rateLimit, enabled: true, max: 3, windowMs: 60_000 } } });
  });
  afterAll(async () => t.close());

  it('answers 429 problem+json with Retry-After once a key exceeds its limit', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await t.app.inject({ method: 'GET', url: '/v1/models', headers: t.admin });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.json()).toMatchObject({ type: '/problems/rate-limited', status: 429, detail: expect.stringMatching(/retry in \d+ s/) });
  });

  it('counts each key separately', async () => {
    const other = await t.keyWith('read');
    expect((await t.app.inject({ method: 'GET', url: '/v1/models', headers: other })).statusCode).toBe(200);
  });

  it('never limits health probes', async () => {
    for (let i = 0; i < 5; i++) expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
