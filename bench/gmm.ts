/**
 * Gaussian-mixture EM speed ('diag' covariance), with scikit-learn 1.2 timed on the same data in the same run.
 *
 *   node bench/gmm.ts                     200,000 × 12, k = 8, centre spread 1 (median of 3 runs)
 *   node bench/gmm.ts --n 1000000 --covariance full --spread 1.5
 *   node bench/gmm.ts --tolerance 0     the worst case: all 100 EM iterations
 *
 * Data: isotropic Gaussian blobs (test/engine/support/blobs.ts), fixed seed; with the default centre spread of
 * 1 noise sd per coordinate the blob centres lie about 5 noise sd apart, so the blobs overlap. Ours runs in a
 * child process per run so its peak RSS is its own; the time covers the whole fit (k-means start, EM, final
 * E-step), as scikit-learn's `GaussianMixture.fit` (init_params='kmeans', n_init=1, tol=1e-3, max_iter=100),
 * timed by scripts/reference/gmm_timing.py when /usr/bin/python3 has scikit-learn (Debian: python3-sklearn).
 * The two start from different k-means runs, so iterations and scores may differ slightly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CovarianceType } from '../src/engine/index.ts';
import { fitGaussianMixture } from '../src/engine/index.ts';
import { makeBlobs } from '../test/engine/support/blobs.ts';

interface RunResult {
  ms: number;
  iterations: number;
  score: number;
  peakRssMb: number;
}

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200000' },
    d: { type: 'string', default: '12' },
    k: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    spread: { type: 'string', default: '1' },
    covariance: { type: 'string', default: 'diag' },
    tolerance: { type: 'string', default: '0.001' },
    runs: { type: 'string', default: '3' },
    child: { type: 'boolean', default: false },
  },
});
const n = Number(values.n);
const d = Number(values.d);
const k = Number(values.k);
const seed = Number(values.seed);
const centerSpread = Number(values.spread);
const covarianceType = values.covariance as CovarianceType;
const tolerance = Number(values.tolerance);
const blobs = () => makeBlobs({ n, d, k, seed, centerSpread }).x;

if (values.child) {
  const x = blobs();
  const started = performance.now();
  const result = fitGaussianMixture(x, { k, covarianceType, seed, tolerance });
  const ms = performance.now() - started;
  const run: RunResult = { ms, iterations: result.iterations, score: result.meanLogLikelihood, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(run));
} else {
  const runs = Number(values.runs);
  const forwarded = ['--n', String(n), '--d', String(d), '--k', String(k), '--seed', String(seed), '--spread', String(centerSpread), '--covariance', covarianceType, '--tolerance', String(tolerance)];
  const results = Array.from({ length: runs }, () => {
    const output = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', ...forwarded], { encoding: 'utf8' });
    return JSON.parse(output) as RunResult;
  });
  results.sort((a, b) => a.ms - b.ms);
  const ours = results[Math.floor(runs / 2)]!;
  const baseline = measureScikitLearn(runs);

  console.log(
    `Gaussian mixture (${covarianceType}) on Gaussian blobs: n = ${n.toLocaleString('en-US')}, d = ${d}, k = ${k}, centre spread ${centerSpread}, tolerance ${tolerance}, seed = ${seed}; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  );
  const row = (name: string, r: RunResult, ratio: string) =>
    `${name.padEnd(34)}${r.ms.toFixed(0).padStart(9)} ms${String(r.iterations).padStart(7)}${r.score.toFixed(6).padStart(14)}${(Number.isNaN(r.peakRssMb) ? 'n/a' : `${r.peakRssMb.toFixed(0)} MB`).padStart(10)}   ${ratio}`;
  console.log(`${'implementation'.padEnd(34)}${'time'.padStart(12)}${'iter'.padStart(7)}${'score'.padStart(14)}${'peak RSS'.padStart(10)}   ratio`);
  console.log(row(`ours (median of ${runs})`, ours, baseline === null ? '' : `${(baseline.ms / ours.ms).toFixed(2)}× scikit-learn's speed`));
  if (baseline === null) console.log('scikit-learn: not available (/usr/bin/python3 without sklearn)');
  else console.log(row(`scikit-learn 1.2 (median of ${runs})`, baseline, '1.0×'));
  console.log(`ours, all runs (ms): ${results.map((r) => r.ms.toFixed(0)).join(', ')}`);
}

/** Times scikit-learn on the same matrix (written as raw float64), or null when it is not installed. */
function measureScikitLearn(runs: number): RunResult | null {
  const folder = mkdtempSync(join(tmpdir(), 'gmm-bench-'));
  try {
    const x = blobs();
    const file = join(folder, 'x.f64');
    writeFileSync(file, x.data);
    const script = new URL('../scripts/reference/gmm_timing.py', import.meta.url).pathname;
    const output = execFileSync(
      '/usr/bin/python3',
      [script, file, String(n), String(d), String(k), covarianceType, String(runs), String(seed), String(tolerance)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return { ...(JSON.parse(output) as Omit<RunResult, 'peakRssMb'>), peakRssMb: Number.NaN };
  } catch {
    return null;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
