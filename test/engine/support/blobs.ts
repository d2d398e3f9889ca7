// Test data for the engine: isotropic Gaussian blobs drawn from the engine's seeded generator, so every
// dataset is reproducible from its seed and has continuous values (exact distance ties have probability 0).
import type { DenseMatrix } from '../../../src/engine/index.ts';
import { createRandom } from '../../../src/engine/index.ts';

export interface BlobsSpec {
  readonly n: number;
  readonly d: number;
  readonly k: number;
  readonly seed: number;
  /** Standard deviation of the blob centres around the origin. Default 10. */
  readonly centerSpread?: number;
  /** Standard deviation of the rows around their blob centre. Default 1. */
  readonly noise?: number;
}

export interface Blobs {
  readonly x: DenseMatrix;
  /** Generating blob of each row. */
  readonly truth: Int32Array;
}

export function makeBlobs(spec: BlobsSpec): Blobs {
  const { n, d, k, seed } = spec;
  const centerSpread = spec.centerSpread ?? 10;
  const noise = spec.noise ?? 1;
  const random = createRandom(seed);
  const centers = new Float64Array(k * d);
  for (let i = 0; i < centers.length; i++) centers[i] = random.nextGaussian() * centerSpread;
  const data = new Float64Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const blob = i % k;
    truth[i] = blob;
    for (let j = 0; j < d; j++) data[i * d + j] = centers[blob * d + j]! + random.nextGaussian() * noise;
  }
  return { x: { data, rows: n, cols: d }, truth };
}

/** Rows `rows` of x as a new k × d matrix (e.g. initial centres). */
export function pickRows(x: DenseMatrix, rows: readonly number[]): DenseMatrix {
  const data = new Float64Array(rows.length * x.cols);
  rows.forEach((row, r) => data.set(x.data.subarray(row * x.cols, (row + 1) * x.cols), r * x.cols));
  return { data, rows: rows.length, cols: x.cols };
}
