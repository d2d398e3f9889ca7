import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, CreatedKey, CurrentKey } from '../../../src/schemas/keys.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';

describe('/v1/keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('creates a key, shows it once, and the key works with its scopes', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'crm-prod', scopes: ['assign', 'read'] } });
    expect(response.statusCode).toBe(201);
    const created = CreatedKey.parse(response.json());
    expect(created.key).toMatch(/^psk_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 8));
    expect(created.scopes).toEqual(['assign', 'read']);
    const read = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${created.key}` } });
    expect(read.statusCode).toBe(200);
  });

  it('never returns keys or hashes in the listing', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: t.admin });
    expect(response.statusCode).toBe(200);
    for (const item of response.json().items) {
      expect(Object.keys(ApiKey.parse(item)).sort()).toEqual(Object.keys(item).sort());
      expect(item).not.toHaveProperty('key');
      expect(item).not.toHaveProperty('hash');
    }
  });

  it('stores only a hash of the key', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'hashed', scopes: ['read'] } })).json();
    const { createHash } = await import('node:crypto');
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    const { rows } = await client.query('SELECT hash FROM api_key WHERE id = $1', [created.id]);
    await client.end();
    expect(rows[0].hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(created.key);
  });

  it('revokes a key: it stops working at once', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'short-lived', scopes: ['read'] } })).json();
    const headers = { authorization: `Bearer ${created.key}` };
    expect((await t.app.inject({ method: 'GET', url: '/v1/models', headers })).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${created.id}`, headers: t.admin });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await t.app.inject({ method: 'GET', url: '/v1/models', headers });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toBe('the API key is unknown or revoked');
  });

  it('rejects an unknown scope with a pointer', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'x', scopes: ['superuser'] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ location: 'body', pointer: '/scopes/0' });
  });

  it('answers 404 when revoking an unknown key', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/v1/keys/00000000-0000-4000-8000-000000000000', headers: t.admin });
    expect(response.statusCode).toBe(404);
  });

  describe('GET /v1/keys/current', () => {
    it('tells any valid key its own name and scopes, and nothing about other keys', async () => {
      const assignOnly = await t.keyWith('assign');
      const response = await t.app.inject({ method: 'GET', url: '/v1/keys/current', headers: assignOnly });
      expect(response.statusCode).toBe(200);
      const current = CurrentKey.parse(response.json());
      expect(current).toMatchObject({ name: 'test assign', scopes: ['assign'] });
      expect(response.body).not.toMatch(/psk_|hash/);
      // The same key may not list keys.
      expect((await t.app.inject({ method: 'GET', url: '/v1/keys', headers: assignOnly })).statusCode).toBe(403);
    });

    it('needs a valid key (401 without one or with a revoked one)', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/v1/keys/current' })).statusCode).toBe(401);
      const created = CreatedKey.parse((await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: 'short-lived', scopes: ['read'] } })).json());
      await t.app.inject({ method: 'DELETE', url: `/v1/keys/${created.id}`, headers: t.admin });
      expect((await t.app.inject({ method: 'GET', url: '/v1/keys/current', headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(401);
    });

    it('answers the anonymous admin when authentication is disabled', async () => {
      const open = await buildTestApp({ config: { authDisabled: true } });
      try {
        const response = await open.app.inject({ method: 'GET', url: '/v1/keys/current' });
        expect(response.json()).toEqual({ id: null, name: 'anonymous (auth disabled)', scopes: ['admin'] });
      } finally {
        await open.close();
      }
    });
  });
});
