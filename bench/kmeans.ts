/**
 * k-means speed against ml-kmeans, measured in the same run on the same data.
 *
 *   npm run bench            200,000 × 12, k = 8 (ours: median of 3 runs; ml-kmeans: 1 run)
 *   npm run bench -- --n 1000000
 *
 * Data: isotropic, overlapping Gaussian blobs, fixed seed. Each implementation runs in its own child process so
 * its peak RSS is its own. Both start from the same k-means++ centres (drawn by our seeded
 * generator) for the Lloyd comparison; "ours (full fit)" adds our own k-means++ seeding.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { assignToNearest, createRandom, fitKMeans, fromRows, kmeansPlusPlus, rowToArray } from '../src/engine/index.ts';
import { makeBlobs } from '../test/engine/support/blobs.ts';

interface RunResult {
  ms: number;
  iterations: number;
  inertia: number;
  peakRssMb: number;
}

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200000' },
    d: { type: 'string', default: '12' },
    k: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});
const n = Number(values.n);
const d = Number(values.d);
const k = Number(values.k);
const seed = Number(values.seed);

function runChild(implementation: string): RunResult {
  // Overlapping blobs (centres spread 1.5 sd) so Lloyd needs tens of iterations, as on real data.
  const { x } = makeBlobs({ n, d, k, seed, centerSpread: 1.5 });
  const initial = kmeansPlusPlus(x, k, createRandom(seed));
  const started = performance.now();
  let iterations: number;
  let inertia: number;
  if (implementation === 'ml-kmeans') {
    const rows = Array.from({ length: n }, (_, i) => rowToArray(x, i));
    const initialRows = Array.from({ length: k }, (_, c) => rowToArray(initial, c));
    const startedFit = performance.now();
    const result = mlKMeans(rows, k, { initialization: initialRows, maxIterations: 300, tolerance: 1e-4 });
    const ms = performance.now() - startedFit;
    iterations = result.iterations;
    // Inertia of ml-kmeans' centroids, computed the same way as ours.
    inertia = assignToNearest(x, fromRows(result.centroids), new Int32Array(n), new Float64Array(n));
    return { ms, iterations, inertia, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  const result = implementation === 'ours-lloyd' ? fitKMeans(x, { k, initialCenters: initial }) : fitKMeans(x, { k, seed, nInit: 1 });
  iterations = result.iterations;
  inertia = result.inertia;
  return { ms: performance.now() - started, iterations, inertia, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

if (values.child) {
  process.stdout.write(JSON.stringify(runChild(values.child)));
} else {
  const measure = (implementation: string, runs: number): RunResult => {
    const results = Array.from({ length: runs }, () => {
      const output = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', implementation, '--n', String(n), '--d', String(d), '--k', String(k), '--seed', String(seed)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      return JSON.parse(output) as RunResult;
    });
    results.sort((a, b) => a.ms - b.ms);
    return results[Math.floor(results.length / 2)]!;
  };
  const runs = Number(values.runs);
  console.log(`k-means on Gaussian blobs: n = ${n.toLocaleString('en-US')}, d = ${d}, k = ${k}, seed = ${seed}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  const baseline = measure('ml-kmeans', 1);
  const lloyd = measure('ours-lloyd', runs);
  const full = measure('ours-full', runs);
  const row = (name: string, r: RunResult, ratio: string) =>
    `${name.padEnd(28)}${r.ms.toFixed(0).padStart(9)} ms${String(r.iterations).padStart(7)}${r.inertia.toExponential(6).padStart(16)}${r.peakRssMb.toFixed(0).padStart(9)} MB   ${ratio}`;
  console.log(`${'implementation'.padEnd(28)}${'time'.padStart(12)}${'iter'.padStart(7)}${'inertia'.padStart(16)}${'peak RSS'.padStart(12)}   speed-up vs ml-kmeans`);
  console.log(row('ml-kmeans (same start)', baseline, '1.0×'));
  console.log(row('ours, Lloyd (same start)', lloyd, `${(baseline.ms / lloyd.ms).toFixed(1)}×`));
  console.log(row('ours, k-means++ and Lloyd', full, `${(baseline.ms / full.ms).toFixed(1)}× (includes seeding)`));
  console.log(`inertia ours / ml-kmeans (same start): ${(lloyd.inertia / baseline.inertia).toFixed(9)}; ours: median of ${runs} runs, ml-kmeans: 1 run`);
}
