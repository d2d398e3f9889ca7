import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../../src/schemas/common.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('API key authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('answers 401 with a Bearer challenge when no key is sent', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/models' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="persona-service"');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Problem.parse(response.json())).toMatchObject({ type: '/problems/unauthorized', status: 401 });
  });

  it('answers 401 for an unknown key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer psk_not-a-real-key' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('answers 401 for a header that is not a Bearer token', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toBe('the Authorization header must have the form "Bearer <key>"');
  });

  it('answers 403 naming the missing scope for a key without it', async () => {
    const assigner = await t.keyWith('assign');
    const response = await t.app.inject({ method: 'GET', url: '/v1/models', headers: assigner });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ type: '/problems/forbidden', detail: expect.stringContaining('"read" scope') });
  });

  it('lets an admin key do everything', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/models', headers: t.admin })).statusCode).toBe(200);
  });

  it('keeps health, readiness, metrics and the API documents public', async () => {
    for (const url of ['/healthz', '/metrics', '/openapi.json', '/docs']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect([200, 302], url).toContain(response.statusCode);
    }
  });
});

describe('with AUTH_DISABLED', () => {
  it('treats every caller as an admin', async () => {
    const t = await buildTestApp({ config: { authDisabled: true } });
    try {
      const response = await t.app.inject({ method: 'POST', url: '/v1/keys', payload: { name: 'x', scopes: ['read'] } });
      expect(response.statusCode).toBe(201);
    } finally {
      await t.close();
    }
  });
});
