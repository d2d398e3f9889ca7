import type { ApiKeyRecord } from '../domain/api-key.ts';
import type { ApiKeyRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import { isRecordNotFound } from './prisma-errors.ts';

// Never select the hash: nothing outside authentication needs it.
const recordSelect = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export function createApiKeyRepository(db: Database): ApiKeyRepository {
  return {
    async create(key) {
      return db.apiKey.create({ data: key, select: recordSelect });
    },

    async findActiveByHash(hash: string): Promise<ApiKeyRecord | null> {
      // Served by the unique index on hash.
      const row = await db.apiKey.findUnique({ where: { hash }, select: recordSelect });
      return row && row.revokedAt === null ? row : null;
    },

    async list({ limit, offset }) {
      const [items, total] = await Promise.all([
        db.apiKey.findMany({ select: recordSelect, orderBy: { createdAt: 'asc' }, take: limit, skip: offset }),
        db.apiKey.count(),
      ]);
      return { items, total };
    },

    async revoke(id: string) {
      try {
        return await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: recordSelect });
      } catch (error) {
        if (isRecordNotFound(error)) return null;
        throw error;
      }
    },

    async countActive() {
      return db.apiKey.count({ where: { revokedAt: null } });
    },

    async touch(id: string, at: Date) {
      await db.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
    },
  };
}
