import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../src/domain/api-key.ts';
import type { ApiKeyRepository } from '../../src/domain/repositories.ts';
import { ApiKeyService, hashApiKey } from '../../src/services/api-keys.ts';

/** In-memory keys with a lookup counter, to observe the cache. */
function fakeRepository() {
  const rows = new Map<string, ApiKeyRecord & { hash: string }>();
  let lookups = 0;
  const repository: ApiKeyRepository = {
    async create(key) {
      const record = { id: `key-${rows.size + 1}`, ...key, createdAt: new Date(0), lastUsedAt: null, revokedAt: null };
      rows.set(record.id, record);
      return record;
    },
    async findActiveByHash(hash) {
      lookups++;
      return [...rows.values()].find((row) => row.hash === hash && row.revokedAt === null) ?? null;
    },
    async list() {
      return { items: [...rows.values()], total: rows.size };
    },
    async revoke(id) {
      const row = rows.get(id);
      if (row) row.revokedAt = new Date(0);
      return row ?? null;
    },
    async countActive() {
      return [...rows.values()].filter((row) => row.revokedAt === null).length;
    },
    async touch() {},
  };
  return { repository, rows, lookups: () => lookups };
}

describe('ApiKeyService', () => {
  it('stores the SHA-256 hash and a visible prefix, never the key', async () => {
    const { repository, rows } = fakeRepository();
    const { key, record } = await new ApiKeyService(repository).create('crm', ['assign']);
    const stored = rows.get(record.id)!;
    expect(stored.hash).toBe(hashApiKey(key));
    expect(stored.prefix).toBe(key.slice(0, 8));
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('answers repeated authentications from its cache for 30 seconds', async () => {
    const { repository, lookups } = fakeRepository();
    let now = 1_000_000;
    const service = new ApiKeyService(repository, () => now);
    const { key } = await service.create('crm', ['assign']);
    await service.authenticate(key);
    now += 29_000;
    await service.authenticate(key);
    expect(lookups()).toBe(1);
    now += 2_000;
    await service.authenticate(key);
    expect(lookups()).toBe(2);
  });

  it('sees a revocation made by another replica once the cache entry expires', async () => {
    const { repository } = fakeRepository();
    let now = 0;
    const thisReplica = new ApiKeyService(repository, () => now);
    const otherReplica = new ApiKeyService(repository, () => now);
    const { key, record } = await thisReplica.create('crm', ['read']);
    expect(await thisReplica.authenticate(key)).not.toBeNull();
    await otherReplica.revoke(record.id);
    expect(await otherReplica.authenticate(key)).toBeNull();
    expect(await thisReplica.authenticate(key)).not.toBeNull();
    now += 31_000;
    expect(await thisReplica.authenticate(key)).toBeNull();
  });

  it('creates the first admin key only on a database without keys', async () => {
    const { repository } = fakeRepository();
    const service = new ApiKeyService(repository);
    const first = await service.ensureFirstKey(null);
    expect(first).toMatchObject({ isGenerated: true, created: { record: { scopes: ['admin'] } } });
    expect(await service.ensureFirstKey(null)).toBeNull();
  });

  it('uses the configured bootstrap key when given', async () => {
    const { repository } = fakeRepository();
    const service = new ApiKeyService(repository);
    const first = await service.ensureFirstKey('psk_configured-bootstrap-key-000000');
    expect(first).toMatchObject({ isGenerated: false, created: { key: 'psk_configured-bootstrap-key-000000' } });
    expect(await service.authenticate('psk_configured-bootstrap-key-000000')).toMatchObject({ scopes: ['admin'] });
  });
});
