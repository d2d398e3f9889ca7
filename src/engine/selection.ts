/**
 * Internal cluster-quality scores, as defined by scikit-learn 1.2 (`sklearn/metrics/cluster/_unsupervised.py`).
 *
 * Notation: n rows, d columns, k cluster slots; x is n × d row-major; labels hold n values in [0, k).
 * Only clusters that actually occur count ("present" clusters, L of them), as scikit-learn encodes
 * labels first; every score requires 2 ≤ L ≤ n − 1.
 *
 * - Silhouette (Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of
 *   cluster analysis", J. Comput. Appl. Math. 20, 1987): mean over rows of (b − a) / max(a, b), where
 *   a is the mean Euclidean distance to the other rows of the own cluster and b the smallest mean
 *   distance to another cluster; a row alone in its cluster scores 0. Higher is better, in [−1, 1].
 *   Exact: O(n² · d) time, O(n · k) memory (symmetric, tiled pair loop; no n × n matrix). Above
 *   `sampleSize` rows it is computed exactly on a seeded uniform sample of rows, distances among the
 *   sample only, as silhouette_score(sample_size=…).
 * - Calinski–Harabasz (Caliński & Harabasz, "A dendrite method for cluster analysis", Comm. Stat. 3,
 *   1974): between-cluster dispersion / within-cluster dispersion × (n − L) / (L − 1). Higher is
 *   better. O(n · d).
 * - Davies–Bouldin (Davies & Bouldin, "A cluster separation measure", IEEE TPAMI 1(2), 1979): mean over
 *   clusters of max_{j≠i} (sᵢ + sⱼ) / ‖cᵢ − cⱼ‖, sᵢ the mean distance of cluster i's rows to its
 *   centroid. Lower is better, ≥ 0. O(n · d + L² · d).
 *
 * Deviation: distances are computed directly as √Σ (x − y)², not through the ‖x‖² + ‖y‖² − 2x·y
 * expansion scikit-learn's pairwise_distances uses; the results agree to rounding.
 */
import { EngineInputError } from './errors.ts';
import { squaredDistance } from './matrix.ts';
import type { DenseMatrix } from './matrix.ts';
import { createRandom } from './random.ts';
import { assertIntegerOption, assertLabels, assertValidMatrix } from './validate.ts';

/** Options of computeSilhouette. */
export interface SilhouetteOptions {
  /** Largest number of rows scored exactly; above it a uniform sample of this many rows is used. Default 5000. */
  readonly sampleSize?: number;
  /** Seed of the row sample (unsigned 32-bit integer). Default 0. */
  readonly seed?: number;
}

export interface SilhouetteResult {
  /** Mean silhouette over the scored rows, in [−1, 1]. */
  readonly score: number;
  /** Rows the score was computed on (n when exact). */
  readonly sampleSize: number;
  /** True when a sample of the rows was scored rather than all of them. */
  readonly isSampled: boolean;
}

const DEFAULT_SILHOUETTE_OPTIONS = { sampleSize: 5000, seed: 0 } as const satisfies Required<SilhouetteOptions>;

/** Rows per tile of the pair loop: two 256-row tiles of a dozen doubles each stay in L1/L2 cache. */
const SILHOUETTE_TILE_ROWS = 256;

/**
 * Mean silhouette coefficient (Euclidean), exact or on a seeded sample of rows.
 *
 * @param x - data, n × d row-major, finite.
 * @param labels - n cluster indices in [0, k).
 * @param k - number of cluster slots (empty slots are ignored).
 * @param options - sampleSize (default 5000): exact when n ≤ sampleSize, otherwise that many rows drawn
 *   uniformly without replacement with `seed` (default 0), distances among the sampled rows only.
 * @returns the score, the number of rows scored and whether they were a sample.
 * @throws EngineInputError `shape_mismatch`, `invalid_label`, `invalid_k`, `non_finite_value`,
 *   `invalid_label_count` (fewer than 2 or more than m − 1 clusters among the m scored rows), `invalid_option`.
 *
 * Complexity: O(m² · d) time and O(m · k) memory for m = min(n, sampleSize).
 */
export function computeSilhouette(
  x: DenseMatrix,
  labels: Int32Array,
  k: number,
  options: SilhouetteOptions = {},
): SilhouetteResult {
  validateScoreInput(x, labels, k);
  const sampleSizeLimit = options.sampleSize ?? DEFAULT_SILHOUETTE_OPTIONS.sampleSize;
  const seed = options.seed ?? DEFAULT_SILHOUETTE_OPTIONS.seed;
  assertIntegerOption('sampleSize', sampleSizeLimit, 2);
  assertIntegerOption('seed', seed, 0);

  const n = x.rows;
  const d = x.cols;
  let data = x.data;
  let sampleLabels = labels;
  let m = n;
  if (n > sampleSizeLimit) {
    m = sampleSizeLimit;
    const rows = createRandom(seed).sampleIndices(n, m);
    data = new Float64Array(m * d);
    sampleLabels = new Int32Array(m);
    for (let s = 0; s < m; s++) {
      const row = rows[s]!;
      data.set(x.data.subarray(row * d, row * d + d), s * d);
      sampleLabels[s] = labels[row]!;
    }
  }

  const counts = countLabels(sampleLabels, k);
  assertLabelCount(counts, m, 'silhouette');
  const score = meanSilhouette(data, sampleLabels, m, d, k, counts);
  return { score, sampleSize: m, isSampled: m < n };
}

/** Silhouette kernel on m rows: per-row sums of distances to each cluster, then s(i) = (b − a) / max(a, b). */
function meanSilhouette(
  data: Float64Array,
  labels: Int32Array,
  m: number,
  d: number,
  k: number,
  counts: Int32Array,
): number {
  // clusterDistanceSums[i * k + c] = Σ distances from row i to the rows of cluster c.
  const clusterDistanceSums = new Float64Array(m * k);
  const tile = SILHOUETTE_TILE_ROWS;
  for (let iStart = 0; iStart < m; iStart += tile) {
    const iEnd = Math.min(iStart + tile, m);
    for (let jStart = iStart; jStart < m; jStart += tile) {
      const jEnd = Math.min(jStart + tile, m);
      for (let i = iStart; i < iEnd; i++) {
        const labelI = labels[i]!;
        const offsetI = i * d;
        const sumsI = i * k;
        // On the diagonal tile, visit each unordered pair once (j > i).
        for (let j = jStart === iStart ? i + 1 : jStart; j < jEnd; j++) {
          const offsetJ = j * d;
          let sumSquares = 0;
          for (let f = 0; f < d; f++) {
            const diff = data[offsetI + f]! - data[offsetJ + f]!;
            sumSquares += diff * diff;
          }
          const dist = Math.sqrt(sumSquares);
          clusterDistanceSums[sumsI + labels[j]!]! += dist;
          clusterDistanceSums[j * k + labelI]! += dist;
        }
      }
    }
  }

  let total = 0;
  for (let i = 0; i < m; i++) {
    const own = labels[i]!;
    const ownCount = counts[own]!;
    // A row alone in its cluster scores 0 (Rousseeuw's convention, scikit-learn's nan_to_num).
    if (ownCount === 1) continue;
    const a = clusterDistanceSums[i * k + own]! / (ownCount - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === own || counts[c] === 0) continue;
      const meanDistance = clusterDistanceSums[i * k + c]! / counts[c]!;
      if (meanDistance < b) b = meanDistance;
    }
    const denominator = Math.max(a, b);
    // a = b = 0 (duplicates across clusters) is 0/0 in scikit-learn, which it maps to 0.
    if (denominator > 0) total += (b - a) / denominator;
  }
  return total / m;
}

/**
 * Calinski–Harabasz index (variance ratio criterion), as scikit-learn's calinski_harabasz_score:
 * [Σ_c n_c ‖μ_c − μ‖² / (L − 1)] / [Σ_c Σ_{i∈c} ‖xᵢ − μ_c‖² / (n − L)]; 1 when every row sits on its centroid.
 *
 * @param x - data, n × d row-major, finite.
 * @param labels - n cluster indices in [0, k).
 * @param k - number of cluster slots (empty slots are ignored).
 * @throws EngineInputError as computeSilhouette (without the sampling options).
 *
 * Complexity: O(n · d) time, O(k · d) memory.
 */
export function computeCalinskiHarabasz(x: DenseMatrix, labels: Int32Array, k: number): number {
  validateScoreInput(x, labels, k);
  const n = x.rows;
  const d = x.cols;
  const counts = countLabels(labels, k);
  const present = assertLabelCount(counts, n, 'Calinski–Harabasz');
  const centroids = clusterMeans(x.data, labels, n, d, k, counts);

  const mean = new Float64Array(d);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let j = 0; j < d; j++) mean[j]! += x.data[offset + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;

  let between = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    let sumSquares = 0;
    for (let j = 0; j < d; j++) {
      const diff = centroids[c * d + j]! - mean[j]!;
      sumSquares += diff * diff;
    }
    between += counts[c]! * sumSquares;
  }
  let within = 0;
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    const centroidOffset = labels[i]! * d;
    for (let j = 0; j < d; j++) {
      const diff = x.data[offset + j]! - centroids[centroidOffset + j]!;
      within += diff * diff;
    }
  }
  if (within === 0) return 1;
  return (between * (n - present)) / (within * (present - 1));
}

/**
 * Davies–Bouldin index, as scikit-learn's davies_bouldin_score: mean over present clusters i of
 * max_{j≠i} (sᵢ + sⱼ) / ‖cᵢ − cⱼ‖, with sᵢ the mean Euclidean distance of cluster i's rows to its
 * centroid. Returns 0 when all sᵢ or all centroid distances are within 1e-8 of zero (numpy's
 * allclose default), and coinciding centroids are skipped (their ratio counts as 0), as scikit-learn.
 *
 * @param x - data, n × d row-major, finite.
 * @param labels - n cluster indices in [0, k).
 * @param k - number of cluster slots (empty slots are ignored).
 * @throws EngineInputError as computeSilhouette (without the sampling options).
 *
 * Complexity: O(n · d + k² · d) time, O(k · d) memory.
 */
export function computeDaviesBouldin(x: DenseMatrix, labels: Int32Array, k: number): number {
  validateScoreInput(x, labels, k);
  const n = x.rows;
  const d = x.cols;
  const counts = countLabels(labels, k);
  const present = assertLabelCount(counts, n, 'Davies–Bouldin');
  const centroids = clusterMeans(x.data, labels, n, d, k, counts);

  const scatter = new Float64Array(k);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    const label = labels[i]!;
    scatter[label]! += Math.sqrt(squaredDistance(x.data, offset, centroids, label * d, d));
  }
  let isScatterZero = true;
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    scatter[c]! /= counts[c]!;
    if (Math.abs(scatter[c]!) > ALLCLOSE_ATOL) isScatterZero = false;
  }
  let areCentroidsTogether = true;
  for (let a = 0; a < k && areCentroidsTogether; a++) {
    if (counts[a] === 0) continue;
    for (let b = a + 1; b < k; b++) {
      if (counts[b] === 0) continue;
      if (Math.sqrt(squaredDistance(centroids, a * d, centroids, b * d, d)) > ALLCLOSE_ATOL) {
        areCentroidsTogether = false;
        break;
      }
    }
  }
  if (isScatterZero || areCentroidsTogether) return 0;

  let total = 0;
  for (let a = 0; a < k; a++) {
    if (counts[a] === 0) continue;
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a || counts[b] === 0) continue;
      const separation = Math.sqrt(squaredDistance(centroids, a * d, centroids, b * d, d));
      // scikit-learn sets a zero centroid distance to +∞, which makes the ratio 0.
      if (separation === 0) continue;
      const ratio = (scatter[a]! + scatter[b]!) / separation;
      if (ratio > worst) worst = ratio;
    }
    total += worst;
  }
  return total / present;
}

/** numpy.allclose's default absolute tolerance, which davies_bouldin_score relies on. */
const ALLCLOSE_ATOL = 1e-8;

function validateScoreInput(x: DenseMatrix, labels: Int32Array, k: number): void {
  assertValidMatrix(x, 'x');
  if (!Number.isInteger(k) || k < 1) {
    throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 1`);
  }
  assertLabels(labels, x.rows, k);
}

function countLabels(labels: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/** Returns the number of present clusters L after checking 2 ≤ L ≤ n − 1 (scikit-learn's check_number_of_labels). */
function assertLabelCount(counts: Int32Array, n: number, scoreName: string): number {
  let present = 0;
  for (let c = 0; c < counts.length; c++) if (counts[c]! > 0) present++;
  if (present < 2 || present > n - 1) {
    throw new EngineInputError(
      'invalid_label_count',
      `${scoreName} needs between 2 and n − 1 = ${n - 1} distinct clusters, found ${present}`,
    );
  }
  return present;
}

/** Per-cluster means, k × d (zero rows for empty clusters). */
function clusterMeans(
  data: Float64Array,
  labels: Int32Array,
  n: number,
  d: number,
  k: number,
  counts: Int32Array,
): Float64Array {
  const means = new Float64Array(k * d);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    const centroidOffset = labels[i]! * d;
    for (let j = 0; j < d; j++) means[centroidOffset + j]! += data[offset + j]!;
  }
  for (let c = 0; c < k; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    for (let j = c * d; j < c * d + d; j++) means[j]! /= count;
  }
  return means;
}

