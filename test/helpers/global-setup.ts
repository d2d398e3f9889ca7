/**
 * Provides the PostgreSQL server the suite runs on: DATABASE_URL when set (CI: the machine's
 * PostgreSQL 15), otherwise an embedded PostgreSQL started for this run — the same code path that
 * `npm start` takes. A migrated template database is prepared once; each test file clones it.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { applyMigrations } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database on the test server with rights to create databases. */
    adminDatabaseUrl: string;
    /** Migrated database that test files clone. */
    templateDatabase: string;
    isEmbedded: boolean;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig(process.env);
  let adminUrl = config.databaseUrl;
  let stopEmbedded = async (): Promise<void> => {};
  if (adminUrl === null) {
    const dataDir = await mkdtemp(join(tmpdir(), 'persona-test-pg-'));
    // mkdtemp makes the folder private; PostgreSQL runs as its own user (when we are root) and must enter it.
    await chmod(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'data'), isEphemeral: true });
    adminUrl = embedded.url;
    stopEmbedded = async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const templateDatabase = `persona_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.query(`CREATE DATABASE ${templateDatabase}`);
  await applyMigrations(withDatabase(adminUrl, templateDatabase));

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('isEmbedded', config.databaseUrl === null);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
    await admin.end();
    await stopEmbedded();
  };
}
