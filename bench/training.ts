/**
 * Training end to end on a large customer base, as the service runs it: customers stored in
 * PostgreSQL (DATABASE_URL, or an embedded server in a temporary folder), then TrainingService with
 * the parallel k-means pool (as in the training worker): load, preprocess, fit k = 8, score,
 * bootstrap stability on a 20,000-row sample, profiles, names, save. Prints time and peak RSS of the
 * training process alone (the upload runs in another process).
 *
 *   node bench/training.ts [--customers 1000000]
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKMeansPool, fitKMeansParallel } from '../src/compute/index.ts';
import { loadConfig } from '../src/config.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { createDatasetRepository } from '../src/db/dataset.repo.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createModelRepository } from '../src/db/model.repo.ts';
import { createPersonaRepository } from '../src/db/persona.repo.ts';
import { generateInsuranceBook } from '../src/demo/insurance-book.ts';
import { DatasetService } from '../src/services/datasets.ts';
import { TrainingService } from '../src/services/training.ts';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '1000000' }, step: { type: 'string' }, url: { type: 'string' }, dataset: { type: 'string' } },
});
const customers = Number(values.customers);
const self = new URL(import.meta.url).pathname;

if (values.step === 'upload') {
  const database = createPrismaClient({ url: values.url!, poolSize: 2 });
  const book = generateInsuranceBook({ customers, seed: 7 });
  const dataset = await new DatasetService(createDatasetRepository(database, values.url!), { maxJsonDepth: 32 }).create({ name: 'bench', idColumn: 'customer_id', rows: book.customers });
  await database.$disconnect();
  process.stdout.write(dataset.id);
} else if (values.step === 'train') {
  const database = createPrismaClient({ url: values.url!, poolSize: 2 });
  const pool = createKMeansPool({ threads: loadConfig().trainingThreads });
  const training = new TrainingService(createDatasetRepository(database, values.url!), createModelRepository(database), createPersonaRepository(database), {
    kmeans: (x, options) => fitKMeansParallel(x, { ...options, pool }),
  });
  const phases: string[] = [];
  let last = performance.now();
  const started = last;
  const model = await training.train({ name: 'bench', datasetId: values.dataset!, k: 8 }, (progress) => {
    const now = performance.now();
    if (phases.at(-1)?.startsWith(progress.phase) !== true) {
      const memory = process.memoryUsage();
      phases.push(`${progress.phase} @${((now - started) / 1000).toFixed(1)}s rss ${(memory.rss / 1048576).toFixed(0)} MB (heap ${(memory.heapUsed / 1048576).toFixed(0)}/${(memory.heapTotal / 1048576).toFixed(0)}, external ${(memory.external / 1048576).toFixed(0)}, buffers ${(memory.arrayBuffers / 1048576).toFixed(0)})`);
    }
    last = now;
  });
  await pool.close();
  await database.$disconnect();
  process.stdout.write(
    JSON.stringify({ seconds: (performance.now() - started) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, silhouette: model.metrics.silhouette, phases, last }),
  );
} else {
  let url = loadConfig().databaseUrl;
  let folder: string | null = null;
  let stop = async () => {};
  if (url === null) {
    folder = await mkdtemp(join(tmpdir(), 'persona-bench-'));
    await chmod(folder, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: join(folder, 'pg'), isEphemeral: true });
    url = embedded.url;
    stop = () => embedded.stop();
  }
  try {
    await applyMigrations(url);
    const run = (args: string[]) => execFileSync(process.execPath, [self, '--customers', String(customers), '--url', url!, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const uploadStarted = performance.now();
    const datasetId = run(['--step', 'upload']);
    const uploadSeconds = (performance.now() - uploadStarted) / 1000;
    const result = JSON.parse(run(['--step', 'train', '--dataset', datasetId]));
    console.log(`training on ${customers.toLocaleString('en-US')} customers (13 columns, k = 8): ${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB, silhouette ${result.silhouette.toFixed(3)} (upload in a separate process: ${uploadSeconds.toFixed(1)} s)`);
    console.log(`  phases: ${result.phases.join(', ')}`);
  } finally {
    await stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  }
}
