/**
 * k-means speed and memory against ml-kmeans, measured in the same run on the same data.
 *
 *   npm run bench                       1,000,000 × 12, k = 8 (about 1.5 minutes)
 *   npm run bench -- --n 200000 --runs 5
 *   npm run bench -- --skip-same-start  without the second ml-kmeans run (Lloyd from our start)
 *
 * Data: isotropic, overlapping Gaussian blobs (test/engine/support/blobs.ts, centres spread 1.5 sd, so
 * Lloyd needs tens of iterations, as on real data), fixed seed. Every case runs in its own child
 * process, so its time includes JIT warm-up and its peak RSS is its own (data generation included).
 * Ours: median of `--runs` processes; ml-kmeans: one process per case (about 15 s each at 1,000,000).
 *
 * Cases:
 * - ml-kmeans with its own default initialisation (k-means++), the stated baseline;
 * - ml-kmeans from our k-means++ start, and our Lloyd and Hamerly from the same start: the
 *   iteration-only comparison (same start, so the same local minimum);
 * - ours, full fit (k-means++ and Hamerly, one initialisation) in one thread and on all cores
 *   (fitKMeansParallel; the pool is started before timing, its start-up time is printed separately;
 *   the copy of x into shared memory is timed), each cold (the first fit of the process, JIT warm-up
 *   included) and warm (after an untimed fit of 100,000 other rows, as in a long-lived service);
 * - ours, mini-batch (fitMiniBatchKMeans, batch 1024, final assignment of every row included).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { createKMeansPool, fitKMeansParallel } from '../src/compute/index.ts';
import {
  assignToNearest,
  createRandom,
  fitKMeans,
  fitMiniBatchKMeans,
  fromRows,
  kmeansPlusPlus,
  rowToArray,
} from '../src/engine/index.ts';
import { makeBlobs } from '../test/engine/support/blobs.ts';

interface RunResult {
  ms: number;
  iterations: number;
  inertia: number;
  peakRssMb: number;
  /** Worker pool start-up, for the parallel case. */
  poolStartMs?: number;
}

type Case =
  | 'ml-kmeans'
  | 'ml-kmeans-same-start'
  | 'ours-lloyd-same-start'
  | 'ours-hamerly-same-start'
  | 'ours-single'
  | 'ours-single-warm'
  | 'ours-parallel'
  | 'ours-parallel-warm'
  | 'ours-minibatch';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    d: { type: 'string', default: '12' },
    k: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    'skip-same-start': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
const n = Number(values.n);
const d = Number(values.d);
const k = Number(values.k);
const seed = Number(values.seed);

async function runChild(name: Case): Promise<RunResult> {
  const { x } = makeBlobs({ n, d, k, seed, centerSpread: 1.5 });
  const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
  // Inertia of foreign centroids, computed the same way as ours.
  const inertiaOf = (centroids: number[][]): number => assignToNearest(x, fromRows(centroids), new Int32Array(n), new Float64Array(n));

  if (name === 'ml-kmeans' || name === 'ml-kmeans-same-start') {
    const rows = Array.from({ length: n }, (_, i) => rowToArray(x, i));
    const initialization =
      name === 'ml-kmeans' ? undefined : Array.from({ length: k }, (_, c) => rowToArray(kmeansPlusPlus(x, k, createRandom(seed)), c));
    const started = performance.now();
    const result = mlKMeans(rows, k, { ...(initialization === undefined ? { seed } : { initialization }), maxIterations: 300, tolerance: 1e-4 });
    const ms = performance.now() - started;
    return { ms, iterations: result.iterations, inertia: inertiaOf(result.centroids), peakRssMb: peakRssMb() };
  }
  if (name === 'ours-lloyd-same-start' || name === 'ours-hamerly-same-start') {
    const initialCenters = kmeansPlusPlus(x, k, createRandom(seed));
    const started = performance.now();
    const result = fitKMeans(x, { k, initialCenters, algorithm: name === 'ours-lloyd-same-start' ? 'lloyd' : 'hamerly' });
    return { ms: performance.now() - started, iterations: result.iterations, inertia: result.inertia, peakRssMb: peakRssMb() };
  }
  // The warm cases first fit other data (100,000 rows, not timed), as a long-lived service would
  // have done: V8 has then optimised the kernels, in every worker too.
  const warmUp = makeBlobs({ n: 100_000, d, k, seed: seed + 1, centerSpread: 1.5 }).x;
  if (name === 'ours-parallel' || name === 'ours-parallel-warm') {
    const poolStarted = performance.now();
    const pool = createKMeansPool({ threads: availableParallelism() });
    // Workers have started once they have served a fit; a tiny one does not warm the kernels.
    await fitKMeansParallel(name === 'ours-parallel' ? makeBlobs({ n: 64, d, k, seed }).x : warmUp, { k, pool });
    const poolStartMs = performance.now() - poolStarted;
    const started = performance.now();
    const result = await fitKMeansParallel(x, { k, seed, nInit: 1, pool });
    const ms = performance.now() - started;
    await pool.close();
    return { ms, iterations: result.iterations, inertia: result.inertia, peakRssMb: peakRssMb(), poolStartMs };
  }
  if (name === 'ours-single-warm') fitKMeans(warmUp, { k, seed, nInit: 1 });
  const started = performance.now();
  const result = name === 'ours-minibatch' ? fitMiniBatchKMeans(x, { k, seed, nInit: 1 }) : fitKMeans(x, { k, seed, nInit: 1 });
  return { ms: performance.now() - started, iterations: result.iterations, inertia: result.inertia, peakRssMb: peakRssMb() };
}

function measure(name: Case, runs: number): RunResult {
  const args = [new URL(import.meta.url).pathname, '--child', name, '--n', String(n), '--d', String(d), '--k', String(k), '--seed', String(seed)];
  const results = Array.from({ length: runs }, () => {
    const output = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(output) as RunResult;
  });
  results.sort((a, b) => a.ms - b.ms);
  return results[Math.floor(results.length / 2)]!;
}

/**
 * scikit-learn on the same data (scripts/reference/kmeans_timing.py), when /usr/bin/python3 has it
 * (Debian: python3-sklearn): Lloyd from the same start, and k-means++ plus Lloyd.
 */
function measureScikitLearn(runs: number): { sameStart: RunResult; kmeansPlusPlus: RunResult; version: string } | null {
  const folder = mkdtempSync(join(tmpdir(), 'kmeans-bench-'));
  try {
    const { x } = makeBlobs({ n, d, k, seed, centerSpread: 1.5 });
    writeFileSync(join(folder, 'x.bin'), new Uint8Array(x.data.buffer));
    writeFileSync(join(folder, 'init.bin'), new Uint8Array(kmeansPlusPlus(x, k, createRandom(seed)).data.buffer));
    const script = new URL('../scripts/reference/kmeans_timing.py', import.meta.url).pathname;
    const output = execFileSync('/usr/bin/python3', [script, join(folder, 'x.bin'), join(folder, 'init.bin'), String(n), String(d), String(k), String(runs)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const parsed = JSON.parse(output) as { sameStart: RunResult; kmeansPlusPlus: RunResult; version: string };
    return { ...parsed, sameStart: { ...parsed.sameStart, peakRssMb: Number.NaN }, kmeansPlusPlus: { ...parsed.kmeansPlusPlus, peakRssMb: Number.NaN } };
  } catch {
    return null;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (values.child !== undefined) {
  process.stdout.write(JSON.stringify(await runChild(values.child as Case)));
} else {
  const runs = Number(values.runs);
  console.log(
    `k-means on overlapping Gaussian blobs: n = ${n.toLocaleString('en-US')}, d = ${d}, k = ${k}, seed = ${seed}; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ours: median of ${runs} processes, ml-kmeans: 1`,
  );
  const baseline = measure('ml-kmeans', 1);
  const sameStart = values['skip-same-start'] ? undefined : measure('ml-kmeans-same-start', 1);
  const header = `${'case'.padEnd(44)}${'time'.padStart(10)}${'iter'.padStart(6)}${'inertia'.padStart(16)}${'peak RSS'.padStart(11)}   vs ml-kmeans`;
  const line = (name: string, r: RunResult, against: RunResult | undefined): string => {
    const ratio = against === undefined ? '' : `${(against.ms / r.ms).toFixed(1)}× faster, inertia × ${(r.inertia / against.inertia).toFixed(6)}`;
    return `${name.padEnd(44)}${r.ms.toFixed(0).padStart(7)} ms${String(r.iterations).padStart(6)}${r.inertia.toExponential(6).padStart(16)}${(Number.isNaN(r.peakRssMb) ? 'n/a' : r.peakRssMb.toFixed(0)).padStart(8)} MB   ${ratio}`;
  };
  console.log(header);
  console.log(line('ml-kmeans, its own k-means++ (baseline)', baseline, undefined));
  if (sameStart !== undefined) {
    console.log(line('ml-kmeans, Lloyd from our start', sameStart, undefined));
    console.log(line('ours, Lloyd from the same start', measure('ours-lloyd-same-start', runs), sameStart));
    console.log(line('ours, Hamerly from the same start', measure('ours-hamerly-same-start', runs), sameStart));
  }
  const scikitLearn = measureScikitLearn(runs);
  if (scikitLearn) {
    console.log(line(`scikit-learn ${scikitLearn.version}, Lloyd from our start`, scikitLearn.sameStart, sameStart));
    console.log(line(`scikit-learn ${scikitLearn.version}, k-means++ and Lloyd`, scikitLearn.kmeansPlusPlus, baseline));
  } else {
    console.log('scikit-learn: not available (/usr/bin/python3 without sklearn; Debian package python3-sklearn)');
  }
  const threads = availableParallelism();
  console.log(line('ours, k-means++ and Hamerly, 1 thread', measure('ours-single', runs), baseline));
  const parallel = measure('ours-parallel', runs);
  console.log(line(`ours, k-means++ and Hamerly, ${threads} threads`, parallel, baseline));
  console.log(line('ours, 1 thread, warm (after a first fit)', measure('ours-single-warm', runs), baseline));
  const parallelWarm = measure('ours-parallel-warm', runs);
  console.log(line(`ours, ${threads} threads, warm pool`, parallelWarm, baseline));
  console.log(line('ours, mini-batch (1024) + full assignment', measure('ours-minibatch', runs), baseline));
  console.log(
    `same-start rows: ratios against ml-kmeans from the same start; others against the baseline. Not timed: ` +
      `pool start-up ${parallel.poolStartMs?.toFixed(0)} ms; warm-up fit of 100,000 rows ${parallelWarm.poolStartMs?.toFixed(0)} ms with the pool start.`,
  );
}
