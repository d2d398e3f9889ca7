/**
 * Serving speed, each figure beside a baseline measured in the same run.
 *
 *   npm run bench:serve [-- --training-customers 1000000 --ndjson-rows 200000]
 *
 * Builds, then starts the production server (dist/src/server.js, logging at info, the demo model)
 * on an embedded PostgreSQL in a temporary folder (or DATABASE_URL when set) and prints:
 *   1. /v1/assign against a bare Fastify app with one POST route that parses the same JSON body and
 *      returns a constant: autocannon, 32 connections, 10 s each after a 2 s warm-up; requests/s,
 *      their ratio, p50 and p99 latency;
 *   2. POST /v1/assign/batch with NDJSON: rows scored per second, streamed in and out;
 *   3. /v1/assign while a model trains on --training-customers customers (1,000,000 by default;
 *      0 skips): requests/s and p99 during the training, and the training's duration.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { generateInsuranceBook } from '../src/demo/insurance-book.ts';

const ADMIN_KEY = 'psk_bench-serve-admin-key-0000000000000';
const CONNECTIONS = 32;
const DURATION_S = 10;
const BODY = JSON.stringify({ customerId: 'bench-1', attributes: { age: 31, income: 52_000, region: 'urban', home_ownership: 'rent', web_visits_month: 9 } });

const { values } = parseArgs({ options: { 'training-customers': { type: 'string', default: '1000000' }, 'ndjson-rows': { type: 'string', default: '200000' } } });
const trainingCustomers = Number(values['training-customers']);
const ndjsonRows = Number(values['ndjson-rows']);

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

async function drive(url: string, headers: Record<string, string>, duration = DURATION_S) {
  const options = { url, method: 'POST' as const, connections: CONNECTIONS, headers: { 'content-type': 'application/json', ...headers }, body: BODY };
  await autocannon({ ...options, duration: 2 });
  const result = await autocannon({ ...options, duration });
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** NDJSON batch: `rows` customers of the demo book streamed in one request; rows scored per second, from first byte sent to last byte read. */
async function scoreNdjson(baseUrl: string, rows: number): Promise<{ rowsPerSecond: number; lines: number; errors: number }> {
  const book = generateInsuranceBook({ customers: rows, seed: 99 });
  const body = `${book.customers.map(({ customer_id, ...attributes }) => JSON.stringify({ customerId: customer_id, attributes })).join('\n')}\n`;
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/assign/batch`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${ADMIN_KEY}` }, body });
  let lines = 0;
  let errors = 0;
  let tail = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    const text = tail + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    tail = parts.pop()!;
    lines += parts.length;
    for (const part of parts) if (part.includes('"error"')) errors++;
  }
  return { rowsPerSecond: rows / ((performance.now() - started) / 1000), lines, errors };
}

const row = (name: string, r: Awaited<ReturnType<typeof drive>>) =>
  `${name.padEnd(30)}${r.requestsPerSecond.toFixed(0).padStart(10)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${String(r.non2xx + r.errors).padStart(9)}`;

const folder = await mkdtemp(join(tmpdir(), 'persona-bench-'));
await chmod(folder, 0o755);
const configured = loadConfig().databaseUrl;
const embedded = configured ? null : await startEmbeddedPostgres({ dataDir: join(folder, 'postgres'), isEphemeral: true });
const databaseUrl = configured ?? embedded!.url;
const port = await freePort();
const service = spawn(process.execPath, [new URL('../dist/src/server.js', import.meta.url).pathname], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, RATE_LIMIT_ENABLED: 'false', DATABASE_URL: databaseUrl },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const bare = spawn(process.execPath, [new URL('./bare-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const baseUrl = `http://127.0.0.1:${port}`;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };
try {
  await waitForOutput(service, /Server listening/);
  const barePort = Number((await waitForOutput(bare, /listening (\d+)/))[1]);
  const ours = await drive(`${baseUrl}/v1/assign`, auth);
  const baseline = await drive(`http://127.0.0.1:${barePort}/v1/assign`, {});
  console.log(`/v1/assign vs a bare Fastify POST route: ${CONNECTIONS} connections, ${DURATION_S} s each; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  console.log(`${''.padEnd(30)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}`);
  console.log(row('bare Fastify route', baseline));
  console.log(row('persona-service /v1/assign', ours));
  console.log(`ratio /v1/assign ÷ bare route: ${(ours.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}`);

  if (ndjsonRows > 0) {
    const batch = await scoreNdjson(baseUrl, ndjsonRows);
    console.log(`NDJSON batch: ${ndjsonRows.toLocaleString('en-US')} customers in one streamed request: ${batch.rowsPerSecond.toFixed(0)} rows/s (${batch.lines} result lines, ${batch.errors} errors)`);
  }

  if (trainingCustomers > 0) {
    // Stored straight into the service's database by the training benchmark's upload step (an upload
    // through the API would measure the upload, not serving under training).
    const datasetId = execFileSync(process.execPath, [new URL('./training.ts', import.meta.url).pathname, '--step', 'upload', '--customers', String(trainingCustomers), '--url', databaseUrl], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const started = performance.now();
    const training = fetch(`${baseUrl}/v1/models?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ name: 'bench-training', datasetId, k: 8 }) }).then(async (response) => ({
      status: response.status,
      seconds: (performance.now() - started) / 1000,
      body: await response.text(),
    }));
    const during = await drive(`${baseUrl}/v1/assign`, auth);
    const trained = await training;
    const overlap = Math.min(1, trained.seconds / (DURATION_S + 2));
    console.log(`/v1/assign while a model trains on ${trainingCustomers.toLocaleString('en-US')} customers (training took ${trained.seconds.toFixed(1)} s, HTTP ${trained.status}; it covered ${(overlap * 100).toFixed(0)}% of the measurement):`);
    console.log(row('persona-service /v1/assign', during));
  }
} finally {
  bare.kill('SIGTERM');
  service.kill('SIGTERM');
  await new Promise((resolve) => service.on('exit', resolve));
  await embedded?.stop();
  await rm(folder, { recursive: true, force: true });
}
