/**
 * The README's walkthrough is a test: its bash blocks (between the walkthrough markers) run in
 * order, with curl and jq, against a live server on a fresh database.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startService } from '../src/startup.ts';
import type { RunningService } from '../src/startup.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase } from './helpers/database.ts';
import type { TestDatabase } from './helpers/database.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const ADMIN_KEY = 'psk_readme-walkthrough-admin-key-000000';

interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bash asynchronously: the server answering its curl calls lives in this same process. */
function runBash(script: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function walkthroughScript(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = /<!-- walkthrough:start -->([\s\S]*?)<!-- walkthrough:end -->/.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no walkthrough section');
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]);
  return ['set -euo pipefail', ...blocks].join('\n');
}

describe('README', () => {
  let database: TestDatabase;
  let service: RunningService;
  let scratch: string;
  let result: ScriptResult;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testConfig({ databaseUrl: database.url, bootstrapAdminKey: ADMIN_KEY, jobs: { isWorker: true, heartbeatSeconds: 30, pollSeconds: 0.5 } });
    service = await startService(config, createLogger(config));
    await service.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = service.app.server.address() as { port: number };
    scratch = await mkdtemp(join(tmpdir(), 'persona-readme-'));
    await chmod(scratch, 0o755);
    result = await runBash(await walkthroughScript(), {
      cwd: ROOT,
      env: { ...process.env, API: `http://127.0.0.1:${port}`, KEY: ADMIN_KEY, TMPDIR: scratch },
    });
  }, 180_000);

  afterAll(async () => {
    await service.stop();
    await database.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('runs the walkthrough from upload to recommendations without an error', () => {
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('shows the textbook mall personas and their sizes', () => {
    const output = result.stdout;
    for (const line of ['81\tMainstream Customers', '39\tAffluent Big-Spending Customers', '22\tBudget Big-Spending Customers', '35\tAffluent Frugal Customers', '23\tBudget Frugal Customers']) {
      expect(output).toContain(line);
    }
  });

  it('shows the renters cover first among the renters persona recommendations', () => {
    expect(result.stdout).toMatch(/^1\. Renters Cover: \d+% of the persona vs \d+% overall \(lift [\d.]+\)$/m);
  });

  it('shows the assign-only key refused elsewhere, the inactive version deleted and the active one kept', () => {
    const output = result.stdout;
    expect(output).toMatch(/^403$/m);
    expect(output).toMatch(/^204$/m);
    expect(output).toContain('is the active version; activate another version before deleting it');
  });

  it('shows the data-quality verdicts, the fairness audit of the protected columns and the audit trail', () => {
    const output = result.stdout;
    expect(output).toMatch(/^Genre: usable$/m);
    expect(output).toContain('["Annual Income (k$)","Spending Score (1-100)"]');
    expect(output).toMatch(/^fairness: (pass|review|fail)$/m);
    for (const check of ['composition', 'steering', 'proxies']) expect(output).toMatch(new RegExp(`^  ${check}: (pass|review|fail) — `, 'm'));
    expect(output).toMatch(/^[^\t\n]+\tmodel\.train\tmall-audited$/m);
  });

  it('documents every environment variable the service reads', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const name of ENVIRONMENT_VARIABLES) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
