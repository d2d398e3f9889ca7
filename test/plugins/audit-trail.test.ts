/**
 * The audit-trail plugin: every route that changes something names its audit action (so a new route
 * cannot forget it), and an entry that cannot be written is logged, counted and flagged on the answer.
 */
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/domain/audit.ts';
import { auditTrailPlugin } from '../../src/plugins/audit-trail.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

/**
 * POSTs that change nothing: scoring requests (their own record is the assignment log) and dry runs
 * that store nothing. Any other route that is not a GET must name its audit action.
 */
const NOT_AUDITED = new Set(['POST /v1/assign', 'POST /v1/assign/batch', 'POST /v1/recommendations', 'POST /v1/datasets/profile']);

interface Operation {
  'x-audit-action'?: string;
}

describe('audit trail plugin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ captureLogs: true });
  });
  afterAll(async () => t.close());

  it('finds an audit action on every route that is not a GET (the route table, walked)', () => {
    // The OpenAPI document lists every route but those hidden from it (only GET /openapi.json is).
    const paths = (t.app.swagger() as { paths: Record<string, Record<string, Operation>> }).paths;
    const writes = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => !['get', 'head', 'options'].includes(method))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, action: operation['x-audit-action'] })),
    );
    expect(writes.length).toBeGreaterThanOrEqual(20);
    const unaudited = writes.filter((write) => write.action === undefined && !NOT_AUDITED.has(write.route)).map((write) => write.route);
    expect(unaudited, 'routes that change something but name no audit action (config: { scope, audit })').toEqual([]);
    for (const write of writes) if (write.action !== undefined) expect(AUDIT_ACTIONS).toContain(write.action);
    // The exemptions still exist (a stale list would hide nothing, but says something false).
    for (const route of NOT_AUDITED) expect(writes.map((write) => write.route)).toContain(route);
  });

  it('refuses an audited route without a scope (no actor to record) when the app starts', async () => {
    const app = Fastify();
    // Stand-ins for the plugins it depends on: only its route check runs here.
    await app.register(fp(async () => undefined, { name: 'services' }));
    await app.register(fp(async () => undefined, { name: 'auth' }));
    await app.register(auditTrailPlugin);
    await app.after();
    expect(() => app.post('/v1/unguarded', { config: { audit: 'model.activate' } }, async () => ({}))).toThrow(/POST \/v1\/unguarded is audited \(model\.activate\) but declares no scope/);
    await app.close();
  });

  it('logs, counts and flags an entry that could not be written; the answer stands', async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit storage unavailable'; END; $$;
        CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION refuse_audit()`);
      t.logLines.length = 0;
      const created = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'unrecorded', scopes: ['read'] } });
      expect(created.statusCode).toBe(201);
      expect(created.json().key).toEqual(expect.any(String));
      expect(created.headers['audit-trail']).toBe('unrecorded');
      const failure = t.logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'audit entry could not be written');
      expect(failure).toMatchObject({ level: 50, action: 'key.create', reqId: created.headers['x-request-id'], err: expect.any(Object) });
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^persona_audit_write_failures_total 1$/m);

      await client.query('DROP TRIGGER refuse_audit ON audit_entry');
      const recorded = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'recorded', scopes: ['read'] } });
      expect(recorded.headers['audit-trail']).toBeUndefined();
      const trail = (await t.app.inject({ method: 'GET', url: '/v1/audit', headers: t.admin })).json();
      expect(trail.items.map((entry: { details: { name: string } }) => entry.details.name)).toEqual(['recorded']);
    } finally {
      await client.end();
    }
  });
});
