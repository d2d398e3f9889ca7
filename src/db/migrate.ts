/**
 * Applies prisma/migrations/<timestamp>_<name>/migration.sql in order, recording each in
 * `_prisma_migrations` exactly as Prisma Migrate does (id, SHA-256 checksum of the file, timestamps,
 * applied_steps_count), so `prisma migrate status|deploy` agree wherever Prisma's engines run.
 *
 * Concurrency: the whole run holds the PostgreSQL advisory lock that Prisma Migrate itself uses
 * (72707369), so two replicas starting together — or a replica and `prisma migrate deploy` — apply
 * each migration once. Each migration runs in one transaction with its bookkeeping row.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const PRISMA_MIGRATE_LOCK_ID = 72707369;
/** prisma/migrations, found from src/db (run from source) or dist/src/db (the production build). */
export const DEFAULT_MIGRATIONS_DIR = ['../../prisma/migrations', '../../../prisma/migrations']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((candidate) => existsSync(candidate)) ?? fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

// Same definition as Prisma's schema engine creates for PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationRun {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Brings the database at `databaseUrl` up to date; safe to call from several processes at once. */
export async function applyMigrations(databaseUrl: string, migrationsDir?: string): Promise<MigrationRun> {
  const migrations = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_ID]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const recorded = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
      );
      const byName = new Map(recorded.rows.map((row) => [row.migration_name, row]));
      const run: MigrationRun = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        const existing = byName.get(migration.name);
        if (existing?.finished_at) {
          if (existing.checksum !== migration.checksum) {
            throw new MigrationError(`migration ${migration.name} was modified after it was applied`);
          }
          run.alreadyApplied.push(migration.name);
          continue;
        }
        if (existing) {
          throw new MigrationError(
            `migration ${migration.name} started earlier but did not finish; resolve it (prisma migrate resolve) before starting`,
          );
        }
        await applyOne(client, migration);
        run.applied.push(migration.name);
      }
      return run;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_ID]);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`migration ${migration.name} failed and was rolled back`, { cause: error });
  }
}
