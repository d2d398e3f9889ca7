import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, readMigrations } from '../../src/db/migrate.ts';
import { createTestDatabase } from '../helpers/database.ts';
import type { TestDatabase } from '../helpers/database.ts';

async function migrationRows(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; started_at: Date }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count, started_at FROM _prisma_migrations ORDER BY migration_name',
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('applies every migration to an empty database and records it as Prisma Migrate does', async () => {
    database = await createTestDatabase({ isMigrated: false });
    const migrations = await readMigrations();
    const run = await applyMigrations(database.url);
    expect(run.applied).toEqual(migrations.map((m) => m.name));
    const rows = await migrationRows(database.url);
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      const sql = await readFile(join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.checksum).toBe(migrations[i]!.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('applies nothing the second time', async () => {
    database = await createTestDatabase({ isMigrated: false });
    await applyMigrations(database.url);
    const second = await applyMigrations(database.url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('applies each migration once when two instances start at the same time', async () => {
    database = await createTestDatabase({ isMigrated: false });
    const runs = await Promise.all([applyMigrations(database.url), applyMigrations(database.url), applyMigrations(database.url)]);
    const appliedNames = runs.flatMap((run) => run.applied);
    const migrations = await readMigrations();
    expect(appliedNames.sort()).toEqual(migrations.map((m) => m.name).sort());
    expect(await migrationRows(database.url)).toHaveLength(migrations.length);
  });

  it('refuses to start when an applied migration was edited afterwards', async () => {
    database = await createTestDatabase({ isMigrated: false });
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await applyMigrations(database.url, dir);
      const [first] = await readMigrations(dir);
      await writeFile(join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
      await expect(applyMigrations(database.url, dir)).rejects.toThrow(`migration ${first!.name} was modified after it was applied`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls a failing migration back entirely and records nothing for it', async () => {
    database = await createTestDatabase({ isMigrated: false });
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      const failing = join(dir, '99990101000000_broken');
      await cp(join(DEFAULT_MIGRATIONS_DIR, (await readMigrations())[0]!.name), failing, { recursive: true });
      await writeFile(join(failing, 'migration.sql'), 'CREATE TABLE half_written (id int);\nSELECT no_such_function();\n');
      await expect(applyMigrations(database.url, dir)).rejects.toThrow('migration 99990101000000_broken failed and was rolled back');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const table = await client.query("SELECT to_regclass('half_written') AS name");
      await client.end();
      expect(table.rows[0].name).toBeNull();
      expect((await migrationRows(database.url)).map((r) => r.migration_name)).not.toContain('99990101000000_broken');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
