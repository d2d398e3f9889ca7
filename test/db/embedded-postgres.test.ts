import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('startEmbeddedPostgres', () => {
  let folder: string;
  let dataDir: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'persona-embedded-'));
    await chmod(folder, 0o755);
    dataDir = join(folder, 'pg');
  });
  afterAll(async () => rm(folder, { recursive: true, force: true }));

  it('initialises a data directory, serves a database on 127.0.0.1 and keeps the data after stop', async () => {
    const first = await startEmbeddedPostgres({ dataDir, isEphemeral: true });
    expect(new URL(first.url).hostname).toBe('127.0.0.1');
    await query(first.url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    await first.stop();
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    const second = await startEmbeddedPostgres({ dataDir, isEphemeral: true });
    try {
      expect(await query(second.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
    } finally {
      await second.stop();
    }
  });

  it('stops a server left running by a process that died, then starts its own', async () => {
    const orphan = await startEmbeddedPostgres({ dataDir, isEphemeral: true });
    // As if the process that started it had been killed: its owner file names a dead pid.
    await writeFile(`${dataDir}.owner`, `${await deadPid()}\n`);
    const next = await startEmbeddedPostgres({ dataDir, isEphemeral: true });
    try {
      await expect(query(orphan.url, 'SELECT 1')).rejects.toThrow();
      expect(await query(next.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await next.stop();
    }
  });

  it('refuses a data directory that a running process owns', async () => {
    const owner = spawn('sleep', ['30']);
    try {
      await writeFile(`${dataDir}.owner`, `${owner.pid}\n`);
      await expect(startEmbeddedPostgres({ dataDir, isEphemeral: true })).rejects.toThrow(`another process (pid ${owner.pid}) runs the embedded PostgreSQL in ${dataDir}`);
    } finally {
      owner.kill();
      await rm(`${dataDir}.owner`, { force: true });
    }
  });
});
