/**
 * /v1/assign throughput and latency against a bare Fastify route, measured in the same run.
 *
 *   npm run bench:serve     (builds, then starts dist/src/server.js with logging at info)
 *
 * The service runs on DATABASE_URL when set, otherwise on an embedded PostgreSQL in a temporary
 * folder, with the demo model; both servers are separate processes driven by autocannon with
 * 32 connections for 10 s each, after a 2 s warm-up.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const ADMIN_KEY = 'psk_bench-serve-admin-key-0000000000000';
const CONNECTIONS = 32;
const DURATION_S = 10;
const BODY = JSON.stringify({ customerId: 'bench-1', attributes: { age: 31, income: 52_000, region: 'urban', home_ownership: 'rent', web_visits_month: 9 } });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`process exited with ${code}: ${output.slice(-2000)}`)));
  });
}

async function drive(url: string, headers: Record<string, string>) {
  const options = { url, method: 'POST' as const, connections: CONNECTIONS, headers: { 'content-type': 'application/json', ...headers }, body: BODY };
  await autocannon({ ...options, duration: 2 });
  const result = await autocannon({ ...options, duration: DURATION_S });
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const folder = await mkdtemp(join(tmpdir(), 'persona-bench-'));
await chmod(folder, 0o755);
const port = await freePort();
const service = spawn(process.execPath, [new URL('../dist/src/server.js', import.meta.url).pathname], {
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    RATE_LIMIT_ENABLED: 'false',
    EMBEDDED_POSTGRES_DIR: join(folder, 'postgres'),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const bare = spawn(process.execPath, [new URL('./bare-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await waitForOutput(service, /Server listening/);
  const barePort = Number((await waitForOutput(bare, /listening (\d+)/))[1]);
  const ours = await drive(`http://127.0.0.1:${port}/v1/assign`, { authorization: `Bearer ${ADMIN_KEY}` });
  const baseline = await drive(`http://127.0.0.1:${barePort}/v1/assign`, {});
  console.log(`/v1/assign vs a bare Fastify POST route: ${CONNECTIONS} connections, ${DURATION_S} s each; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  console.log(`${''.padEnd(24)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}`);
  for (const [name, r] of [['bare Fastify route', baseline], ['persona-service', ours]] as const) {
    console.log(`${name.padEnd(24)}${r.requestsPerSecond.toFixed(0).padStart(10)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${String(r.non2xx + r.errors).padStart(9)}`);
  }
  console.log(`ratio /v1/assign ÷ bare route: ${(ours.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}`);
} finally {
  bare.kill('SIGTERM');
  service.kill('SIGTERM');
  await new Promise((resolve) => service.on('exit', resolve));
  await rm(folder, { recursive: true, force: true });
}
