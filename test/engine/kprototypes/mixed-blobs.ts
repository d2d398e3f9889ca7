// Mixed-type test data: Gaussian blobs on the numeric columns (standardised afterwards, as the engine's
// callers do) and, per blob, a preferred code in each categorical column drawn with a fixed probability,
// all from the engine's seeded generator so every dataset is reproducible from its seed.
import type { MixedMatrix } from '../../../src/engine/index.ts';
import { createRandom } from '../../../src/engine/index.ts';

export interface MixedBlobsSpec {
  readonly n: number;
  readonly p: number;
  readonly cardinalities: readonly number[];
  readonly k: number;
  readonly seed: number;
  /** Standard deviation of the blob centres around the origin, in units of the within-blob noise. Default 3. */
  readonly centerSpread?: number;
  /** Probability that a row takes its blob's preferred code in a categorical column. Default 0.6. */
  readonly categoryPurity?: number;
}

export interface MixedBlobs {
  readonly x: MixedMatrix;
  /** Generating blob of each row. */
  readonly truth: Int32Array;
}

export function makeMixedBlobs(spec: MixedBlobsSpec): MixedBlobs {
  const { n, p, k, seed } = spec;
  const q = spec.cardinalities.length;
  const cardinalities = Int32Array.from(spec.cardinalities);
  const centerSpread = spec.centerSpread ?? 3;
  const purity = spec.categoryPurity ?? 0.6;
  const random = createRandom(seed);
  const centers = new Float64Array(k * p);
  for (let i = 0; i < centers.length; i++) centers[i] = random.nextGaussian() * centerSpread;
  const preferred = new Int32Array(k * q);
  for (let c = 0; c < k; c++) for (let j = 0; j < q; j++) preferred[c * q + j] = random.nextInt(cardinalities[j]!);
  const numeric = new Float64Array(n * p);
  const codes = new Int32Array(n * q);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const blob = random.nextInt(k);
    truth[i] = blob;
    for (let j = 0; j < p; j++) numeric[i * p + j] = centers[blob * p + j]! + random.nextGaussian();
    for (let j = 0; j < q; j++) {
      codes[i * q + j] = random.nextFloat() < purity ? preferred[blob * q + j]! : random.nextInt(cardinalities[j]!);
    }
  }
  standardiseColumns(numeric, n, p);
  return {
    x: { numeric: { data: numeric, rows: n, cols: p }, categorical: { codes, rows: n, cols: q, cardinalities } },
    truth,
  };
}

/** (x − mean) / population std per column, in place. */
export function standardiseColumns(data: Float64Array, n: number, p: number): void {
  for (let j = 0; j < p; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[i * p + j]!;
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (data[i * p + j]! - mean) ** 2;
    const std = Math.sqrt(squares / n) || 1;
    for (let i = 0; i < n; i++) data[i * p + j] = (data[i * p + j]! - mean) / std;
  }
}
