/**
 * The audit trail's digests and hash chain: canonical JSON, digests of changes (raw uploads by their
 * own digest), entry hashes that cover the previous hash, and verification over an in-memory trail.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, NewAuditEntry } from '../../src/domain/audit.ts';
import type { AuditRepository } from '../../src/domain/repositories.ts';
import { AuditTrailService, canonicalJson, changeDigest, entryHash } from '../../src/services/audit-trail.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The repository contract in memory: ids count from 1, the clock moves a second per entry. */
function memoryTrail(): AuditRepository & { rows: AuditEntry[] } {
  const rows: AuditEntry[] = [];
  return {
    rows,
    async append(entry, seal) {
      const unsealed = { ...entry, id: String(rows.length + 1), occurredAt: new Date(Date.UTC(2026, 10, 26, 11, 0, rows.length)), previousHash: rows.at(-1)?.hash ?? null };
      const sealed = { ...unsealed, hash: seal(unsealed) };
      rows.push(sealed);
      return sealed;
    },
    async list(_filter, page) {
      return { items: [...rows].reverse().slice(page.offset, page.offset + page.limit), total: rows.length };
    },
    async listAfter(afterId, limit) {
      return rows.filter((row) => afterId === null || BigInt(row.id) > BigInt(afterId)).slice(0, limit);
    },
  };
}

const entry = (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  actor: 'ops',
  keyId: null,
  requestId: 'req-1',
  action: 'key.create',
  method: 'POST',
  route: '/v1/keys',
  targetType: 'key',
  targetId: 'k1',
  status: 201,
  digest: sha256('change'),
  details: { name: 'crm', scopes: ['read'] },
  ...overrides,
});

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }, 'x'], e: undefined })).toBe('{"a":[{"c":null,"d":2},"x"],"b":1}');
  });

  it('writes dates as ISO 8601 strings', () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2026, 0, 2)) })).toBe('{"at":"2026-01-02T00:00:00.000Z"}');
  });
});

describe('changeDigest', () => {
  it('is SHA-256 of the canonical action, params, query and body', () => {
    const digest = changeDigest({ action: 'persona.update', params: { id: 'p1' }, query: {}, body: { name: 'Savers' } });
    expect(digest).toBe(sha256('{"action":"persona.update","body":{"name":"Savers"},"params":{"id":"p1"},"query":{}}'));
  });

  it('is the same for the same change whatever the key order, and differs for another change or action', () => {
    const a = changeDigest({ action: 'persona.update', params: { id: 'p1' }, body: { name: 'Savers', description: 'd' } });
    expect(changeDigest({ action: 'persona.update', params: { id: 'p1' }, body: { description: 'd', name: 'Savers' } })).toBe(a);
    expect(changeDigest({ action: 'persona.update', params: { id: 'p1' }, body: { description: 'd', name: 'Saver' } })).not.toBe(a);
    expect(changeDigest({ action: 'key.create', params: { id: 'p1' }, body: { description: 'd', name: 'Savers' } })).not.toBe(a);
  });

  it('digests a raw upload by the SHA-256 of its bytes, never by its text', () => {
    const csv = 'id,email\n1,someone@example.com\n';
    expect(changeDigest({ action: 'dataset.upload', query: {}, body: csv })).toBe(
      sha256(canonicalJson({ action: 'dataset.upload', body: { payloadBytes: Buffer.byteLength(csv), payloadSha256: sha256(csv) }, params: null, query: {} })),
    );
  });

  it("covers a webhook secret's presence, not its value, so the digest cannot test guesses of it", () => {
    const subscribe = (secret: string) => changeDigest({ action: 'webhook.create', body: { url: 'https://crm.example.com/hook', eventTypes: ['model.activated'], secret } });
    expect(subscribe('guessable-secret-1')).toBe(subscribe('another-secret-22'));
    expect(subscribe('guessable-secret-1')).not.toBe(changeDigest({ action: 'webhook.create', body: { url: 'https://crm.example.com/hook', eventTypes: ['model.activated'] } }));
  });
});

describe('AuditTrailService', () => {
  it('chains each entry to the one before: the hash covers the previous hash', async () => {
    const trail = memoryTrail();
    const service = new AuditTrailService(trail);
    const first = await service.record(entry());
    const second = await service.record(entry({ requestId: 'req-2' }));
    expect(first.previousHash).toBeNull();
    expect(second.previousHash).toBe(first.hash);
    expect(second.hash).toBe(entryHash(second));
    // The same entry after another predecessor has another hash.
    expect(entryHash({ ...second, previousHash: sha256('other') })).not.toBe(second.hash);
  });

  it('verifies an intact trail and names its head', async () => {
    const trail = memoryTrail();
    const service = new AuditTrailService(trail);
    for (let i = 0; i < 3; i++) await service.record(entry({ requestId: `req-${i}` }));
    expect(await service.verify()).toEqual({ isIntact: true, checked: 3, firstBroken: null, head: { id: '3', hash: trail.rows[2]!.hash } });
    expect(await new AuditTrailService(memoryTrail()).verify()).toEqual({ isIntact: true, checked: 0, firstBroken: null, head: null });
  });

  it('finds a changed detail, a removed entry and an entry inserted with a recomputed hash', async () => {
    const trail = memoryTrail();
    const service = new AuditTrailService(trail);
    for (let i = 0; i < 4; i++) await service.record(entry({ requestId: `req-${i}` }));
    const original = [...trail.rows];

    trail.rows[1] = { ...original[1]!, details: { name: 'someone else' } };
    expect((await service.verify()).firstBroken).toEqual({ id: '2', reason: 'hash-mismatch' });

    trail.rows.splice(0, 4, original[0]!, original[2]!, original[3]!);
    expect((await service.verify()).firstBroken).toEqual({ id: '3', reason: 'previous-hash-mismatch' });

    // A forged entry with a correct hash of its own still breaks the link of the entry after it.
    const forged = { ...original[1]!, actor: 'mallory' };
    trail.rows.splice(0, 3, original[0]!, { ...forged, hash: entryHash(forged) }, original[2]!, original[3]!);
    expect(await service.verify()).toMatchObject({ isIntact: false, checked: 2, firstBroken: { id: '3', reason: 'previous-hash-mismatch' } });
  });

  it('counts a failed write and passes the error on', async () => {
    const failing: AuditRepository = { ...memoryTrail(), append: async () => Promise.reject(new Error('database down')) };
    const service = new AuditTrailService(failing);
    await expect(service.record(entry())).rejects.toThrow('database down');
    expect(service.failedWrites).toBe(1);
  });

  it('records a background action as the scheduler, and logs instead of throwing when the write fails', async () => {
    const trail = memoryTrail();
    await new AuditTrailService(trail).recordBackground({ action: 'model.train', body: { name: 'nightly' }, target: { type: 'model', id: 'nightly' }, details: { jobId: 'j1' } });
    expect(trail.rows[0]).toMatchObject({ actor: 'scheduler', keyId: null, requestId: null, action: 'model.train', targetType: 'model', targetId: 'nightly', details: { jobId: 'j1' } });

    const errors: unknown[] = [];
    const failing = new AuditTrailService({ ...memoryTrail(), append: async () => Promise.reject(new Error('database down')) }, { log: { error: (fields) => errors.push(fields) } });
    await failing.recordBackground({ action: 'model.train', target: null });
    expect(errors).toEqual([expect.objectContaining({ action: 'model.train' })]);
    expect(failing.failedWrites).toBe(1);
  });
});
