/**
 * Silhouette on a large dataset by sampling: 1,000,000 × 12 Gaussian blobs (k = 8, fixed seed),
 * labelled by their generating blob, scored on a seeded sample of 5,000 rows (the service's
 * SILHOUETTE_SAMPLE_SIZE), against the exact silhouette of that same sample computed directly.
 *
 *   node bench/silhouette.ts [--n 1000000] [--sample 5000]
 */
import { parseArgs } from 'node:util';
import { computeSilhouette } from '../src/engine/index.ts';
import { makeBlobs } from '../test/engine/support/blobs.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' }, sample: { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' } } });
const n = Number(values.n);
const sampleSize = Number(values.sample);
const seed = Number(values.seed);
const { x, truth } = makeBlobs({ n, d: 12, k: 8, seed, centerSpread: 1.5 });
const times: number[] = [];
let score = 0;
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  score = computeSilhouette(x, truth, 8, { sampleSize, seed }).score;
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(`silhouette of ${n.toLocaleString('en-US')} × 12 rows (k = 8) on a seeded sample of ${sampleSize.toLocaleString('en-US')}: ${times[1]!.toFixed(0)} ms (median of 3), score ${score.toFixed(4)}, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
