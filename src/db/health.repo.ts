import type { HealthRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';

export function createHealthRepository(db: Database): HealthRepository {
  return {
    async ping() {
      await db.$queryRaw`SELECT 1`;
    },
  };
}
