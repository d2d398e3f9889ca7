/**
 * API keys: random 256-bit secrets shown once at creation and stored as SHA-256 hashes (a fast hash
 * is enough for high-entropy keys; there is nothing to brute-force). Authentication results are
 * cached briefly so /v1/assign makes no database round trip on its hot path; a revocation on this
 * replica takes effect at once, on other replicas within the cache lifetime.
 */
import { hash, randomBytes } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyScope, Principal } from '../domain/api-key.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { ApiKeyRepository, Page } from '../domain/repositories.ts';

const KEY_PREFIX = 'psk_';
/** Characters of the key kept in clear to recognise it in listings ("psk_Ab3d…"). */
const VISIBLE_PREFIX_LENGTH = 8;
const CACHE_TTL_MS = 30_000;
/** Unknown keys are remembered shortly too, so a client retrying a bad key cannot hammer the database. */
const NEGATIVE_CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;
/** last_used_at is written at most this often per key, off the request path. */
const TOUCH_INTERVAL_MS = 60_000;

export interface CreatedApiKey {
  record: ApiKeyRecord;
  /** The plain key: returned once, never stored. */
  key: string;
}

export function hashApiKey(key: string): string {
  // One-shot hash: no Hash object per request on the hot path.
  return hash('sha256', key, 'hex');
}

export class ApiKeyService {
  private readonly keys: ApiKeyRepository;
  private readonly now: () => number;
  private readonly cache = new Map<string, { principal: Principal | null; expiresAt: number }>();
  private readonly lastTouched = new Map<string, number>();

  constructor(keys: ApiKeyRepository, now: () => number = Date.now) {
    this.keys = keys;
    this.now = now;
  }

  async create(name: string, scopes: ApiKeyScope[], plainKey?: string): Promise<CreatedApiKey> {
    const key = plainKey ?? `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record = await this.keys.create({
      name,
      prefix: key.slice(0, VISIBLE_PREFIX_LENGTH),
      hash: hashApiKey(key),
      scopes: [...new Set(scopes)],
    });
    return { record, key };
  }

  list(page: Page) {
    return this.keys.list(page);
  }

  async revoke(id: string): Promise<ApiKeyRecord> {
    const record = await this.keys.revoke(id);
    if (!record) throw new NotFoundError(`API key ${id} does not exist`);
    for (const [hash, entry] of this.cache) if (entry.principal?.keyId === id) this.cache.delete(hash);
    return record;
  }

  /**
   * The caller behind a bearer token when this replica has it cached (null: known to be unknown or
   * revoked); undefined when the database must be asked (authenticate). Synchronous, for the hot path.
   */
  authenticateFromCache(token: string): Principal | null | undefined {
    const cached = this.cache.get(hashApiKey(token));
    return cached && cached.expiresAt > this.now() ? cached.principal : undefined;
  }

  /** The caller behind a bearer token, or null for an unknown or revoked key. */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashApiKey(token);
    const now = this.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.principal;
    const record = await this.keys.findActiveByHash(hash);
    const principal = record ? { keyId: record.id, name: record.name, scopes: record.scopes } : null;
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(hash, { principal, expiresAt: now + (principal ? CACHE_TTL_MS : NEGATIVE_CACHE_TTL_MS) });
    if (principal) this.touchLater(principal.keyId!, now);
    return principal;
  }

  /**
   * On a database without keys, creates the first admin key: `bootstrapKey` when configured,
   * otherwise a random one, which is returned so the caller can show it once.
   */
  async ensureFirstKey(bootstrapKey: string | null): Promise<{ created: CreatedApiKey; isGenerated: boolean } | null> {
    if ((await this.keys.countActive()) > 0) return null;
    const created = await this.create('bootstrap admin', ['admin'], bootstrapKey ?? undefined);
    return { created, isGenerated: bootstrapKey === null };
  }

  private touchLater(keyId: string, now: number): void {
    if ((this.lastTouched.get(keyId) ?? 0) + TOUCH_INTERVAL_MS > now) return;
    this.lastTouched.set(keyId, now);
    // Fire and forget: bookkeeping must never slow or fail a request.
    this.keys.touch(keyId, new Date(now)).catch(() => this.lastTouched.delete(keyId));
  }
}
