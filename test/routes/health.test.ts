import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readiness } from '../../src/schemas/health.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { trainSegmentModel } from '../helpers/factories.ts';

describe('health endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('GET /healthz answers 200 while the process is up', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 503 with the reason while no model is active', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(Readiness.parse(response.json())).toMatchObject({
      status: 'not-ready',
      checks: { database: 'ok', model: 'none-active' },
      reason: 'no model is active: train one with POST /v1/models and activate it',
    });
  });

  it('GET /readyz answers 200 naming the served model once one is active', async () => {
    const { model } = await trainSegmentModel(t.app, t.admin, { name: 'ready' });
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ready', reason: null, model: { id: model.id, name: 'ready' } });
  });
});
