import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../src/domain/errors.ts';
import { Problem } from '../../src/schemas/common.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { trainSegmentModel } from '../helpers/factories.ts';

describe('problem+json errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { bodyLimitBytes: 4096, maxJsonDepth: 16 } });
    await trainSegmentModel(t.app, t.admin);
  });
  afterAll(async () => t.close());

  const postRaw = (payload: string, url = '/v1/assign') =>
    t.app.inject({ method: 'POST', url, headers: { ...t.admin, 'content-type': 'application/json' }, payload });

  function expectProblem(response: Awaited<ReturnType<typeof postRaw>>, status: number, type: keyof typeof PROBLEM_TYPES) {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = Problem.parse(response.json());
    expect(problem).toMatchObject({ type: `/problems/${type}`, status, title: PROBLEM_TYPES[type].title });
    expect(problem.instance).toBe(`urn:request:${response.headers['x-request-id']}`);
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+|stack/i);
    return problem;
  }

  it('answers malformed JSON with 400 malformed-body', async () => {
    expectProblem(await postRaw('{"attributes": {"age": 3'), 400, 'malformed-body');
  });

  it('answers an empty JSON body with 400 malformed-body', async () => {
    expectProblem(await postRaw(''), 400, 'malformed-body');
  });

  it('answers NaN and Infinity literals (not JSON) with 400 malformed-body', async () => {
    expectProblem(await postRaw('{"attributes": {"age": NaN}}'), 400, 'malformed-body');
    expectProblem(await postRaw('{"attributes": {"age": Infinity}}'), 400, 'malformed-body');
  });

  it('answers numbers that overflow to Infinity with 400 and a pointer', async () => {
    const problem = expectProblem(await postRaw('{"attributes": {"age": 1e400}}'), 400, 'validation-error');
    expect(problem.errors![0]!.pointer).toBe('/attributes/age');
  });

  it('answers a wrong type with 400 and a pointer to the field', async () => {
    const problem = expectProblem(await postRaw('{"attributes": "age=30"}'), 400, 'validation-error');
    expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/attributes' })]);
  });

  it('answers a body nested deeper than the limit with 400 malformed-body', async () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const problem = expectProblem(await postRaw(deep), 400, 'malformed-body');
    expect(problem.detail).toBe('the JSON body nests deeper than 16 levels');
  });

  it('answers a prototype-poisoning body with 400 malformed-body', async () => {
    expectProblem(await postRaw('{"attributes": {"age": 30}, "__proto__": {"isAdmin": true}}'), 400, 'malformed-body');
  });

  it('answers a body over BODY_LIMIT_BYTES with 413 stating the limit', async () => {
    const problem = expectProblem(await postRaw(JSON.stringify({ attributes: { age: 30, note: 'x'.repeat(5000) } })), 413, 'payload-too-large');
    expect(problem.detail).toContain('limit of 4096 bytes');
  });

  it('answers an unknown route with 404 without echoing the query string', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/nowhere?email=jane@example.com' });
    const problem = expectProblem(response, 404, 'not-found');
    expect(problem.detail).toBe('no route GET /v1/nowhere');
  });

  it('keeps a well-formed X-Request-Id from the caller and echoes it', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/nowhere', headers: { 'x-request-id': 'crm-trace-42' } });
    expect(response.headers['x-request-id']).toBe('crm-trace-42');
    expect(response.json().instance).toBe('urn:request:crm-trace-42');
  });

  it('answers an unexpected failure with a generic 500 that hides the cause', async () => {
    const broken = await buildTestApp();
    try {
      broken.app.services.models.list = async () => {
        throw new Error('connection to 10.0.0.5 refused: SELECT secret FROM api_key');
      };
      const problem = expectProblem(await broken.app.inject({ method: 'GET', url: '/v1/models', headers: broken.admin }), 500, 'internal-error');
      expect(JSON.stringify(problem)).not.toContain('10.0.0.5');
      expect(JSON.stringify(problem)).not.toContain('SELECT');
    } finally {
      await broken.close();
    }
  });

  it('documents every problem type at its type URI', async () => {
    for (const type of Object.keys(PROBLEM_TYPES)) {
      const response = await t.app.inject({ method: 'GET', url: `/problems/${type}` });
      expect(response.statusCode, type).toBe(200);
      expect(response.json()).toMatchObject({ type: `/problems/${type}`, status: PROBLEM_TYPES[type as keyof typeof PROBLEM_TYPES].status });
    }
  });

  it('sets security headers: nothing of the API may be framed or rendered as a page', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const problem = await t.app.inject({ method: 'GET', url: '/v1/no-such-route' });
    expect(problem.headers['x-frame-options']).toBe('DENY');
  });

  it('lets the Swagger UI under /docs run its own scripts and styles, and nothing from elsewhere', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    const policy = response.headers['content-security-policy'] as string;
    expect(policy).toContain("script-src 'self' 'unsafe-inline'");
    expect(policy).toContain("object-src 'none'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
