/**
 * The path `npm start` takes on a fresh machine: no DATABASE_URL, so an embedded PostgreSQL in a
 * project-local folder, migrations, the first admin key printed once, the demo model — then a clean
 * exit on SIGTERM that stops the database, and a second start that reuses the data.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER_ENTRY = new URL('../src/server.ts', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function startServer(env: Record<string, string>): Promise<RunningServer> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [SERVER_ENTRY], { env: { ...inherited, ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const check = setInterval(() => {
      if (output.includes('Server listening')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

describe('npm start without DATABASE_URL', () => {
  let folder: string;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'persona-start-'));
    await chmod(folder, 0o755);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { PORT: String(port), HOST: '127.0.0.1', EMBEDDED_POSTGRES_DIR: join(folder, 'postgres'), LOG_LEVEL: 'info' };
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('serves the demo model from an embedded PostgreSQL, prints the admin key once, and stops cleanly on SIGTERM', async () => {
    const server = await startServer(env);
    const key = /First start: created an admin API key[^\n]*\n\n\s+(psk_\S+)/.exec(server.output())?.[1];
    expect(key, server.output()).toBeDefined();

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { model: unknown }).model).toMatchObject({ name: 'insurance-demo', version: 1 });
    const assigned = await fetch(`${base}/v1/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { age: 26, home_ownership: 'rent', region: 'urban' } }),
    });
    expect(assigned.status).toBe(200);
    expect(((await assigned.json()) as { model: { name: string } }).model.name).toBe('insurance-demo');
    // The key is shown on the terminal, never in the JSON logs.
    const logLines = server.output().split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.join('\n')).not.toContain(key);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(join(folder, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('reuses the data on the next start: no new key, no second demo', async () => {
    const server = await startServer(env);
    try {
      expect(server.output()).not.toContain('created an admin API key');
      expect(server.output()).not.toContain('loaded and activated the demo model');
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    }
  });
});
