import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Database = PrismaClient;

export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

/** Prisma client over node-postgres (no Prisma engine binary is needed with the pg adapter). */
export function createPrismaClient(options: DatabaseOptions): Database {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize,
    // A stuck connect should fail a readiness probe, not hang it.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}
