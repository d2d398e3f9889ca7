/**
 * Cluster-wise stability by the bootstrap (Hennig, "Cluster-wise assessment of cluster stability",
 * Computational Statistics & Data Analysis 52, 2007), as fpc's `clusterboot(bootmethod = "boot")`.
 *
 * For each of B bootstrap resamples: draw n rows with replacement, re-cluster the resample with the
 * caller's method, and for every original cluster C take the best Jaccard similarity
 * |C* ∩ D| / |C* ∪ D| over the resample's clusters D, where C* is C restricted to the resampled rows.
 * A cluster's mean Jaccard over the resamples measures how reproducible it is; a resample in which its
 * best Jaccard is ≤ 0.5 "dissolved" it, one where it is > 0.75 "recovered" it (fpc's defaults).
 * Interpretation (Hennig 2007; fpc's clusterboot documentation): mean Jaccard ≤ 0.5 — the cluster
 * dissolves; 0.6–0.75 — it points at a pattern, but which points belong to it is doubtful; ≥ 0.75 — a
 * valid, stable cluster; ≥ 0.85 — highly stable. `isStable` is mean Jaccard ≥ stableThreshold
 * (default 0.75).
 * Also reported: the adjusted Rand index between the full-data labels restricted to each resample and
 * the resample's own labels, averaged over the resamples (a whole-partition figure).
 *
 * Bootstrap duplicates: as fpc's default (multipleboot = FALSE) and Hennig's recommendation, a row drawn
 * several times enters the resample once — clustering methods misbehave on exact duplicates (zero
 * within-group variance, inflated weights) — so a resample holds about 1 − 1/e ≈ 63.2 % of the rows,
 * each once, and the Jaccard similarities count each resampled row once. The resample's rows keep the
 * data's order (increasing row index).
 *
 * Notation: n rows, d features, k original clusters, B resamples, m ≈ 0.632 n rows per resample.
 * Complexity: B × (one re-clustering of m rows + O(n + m · d + k · k')) with k' the resample's clusters;
 * the re-clustering dominates, so for large n pass a subsample of rows (and its labels) and a smaller B.
 * Randomness: the resamples and the seeds passed to the callback come from createRandom(seed).
 *
 * References: Hennig 2007; fpc 2.2 `R/clusterboot.R` (clujaccard, bootresult, bootbrd, bootrecover).
 */
import { adjustedRandIndex } from './agreement.ts';
import { EngineInputError } from './errors.ts';
import type { DenseMatrix } from './matrix.ts';
import { createRandom } from './random.ts';
import { assertIntegerOption, assertLabels, assertValidMatrix } from './validate.ts';

/**
 * Re-clusters one resample: `sample` holds the resampled rows (m × d, a new matrix per call, the
 * callback may keep it); `seed` is a fresh unsigned 32-bit seed for the method's own randomness.
 * Returns m non-negative labels (any number of clusters).
 */
export type ReclusterFunction = (sample: DenseMatrix, seed: number) => Int32Array;

/** Options of assessClusterStability; all optional. */
export interface StabilityOptions {
  /** Bootstrap resamples B, ≥ 1. Default 100 (fpc's default). */
  readonly resamples?: number;
  /** Seed of the resampling and of the callback's seeds (unsigned 32-bit). Default 0. */
  readonly seed?: number;
  /** isStable when the mean Jaccard is at least this, in [0, 1]. Default 0.75. */
  readonly stableThreshold?: number;
  /** A resample dissolves a cluster when its Jaccard is at most this, in [0, 1]. Default 0.5. */
  readonly dissolvedThreshold?: number;
  /** A resample recovers a cluster when its Jaccard exceeds this, in [0, 1]. Default 0.75. */
  readonly recoveredThreshold?: number;
}

/** Stability of one original cluster. */
export interface ClusterStability {
  /** Index of the cluster in the full-data labels. */
  readonly cluster: number;
  /** Rows of the cluster in the full data. */
  readonly size: number;
  /** Mean over the resamples of the best Jaccard similarity (fpc's bootmean). */
  readonly meanJaccard: number;
  /** Resamples whose best Jaccard is ≤ dissolvedThreshold (fpc's bootbrd). */
  readonly dissolvedCount: number;
  /** Resamples whose best Jaccard is > recoveredThreshold (fpc's bootrecover). */
  readonly recoveredCount: number;
  /** meanJaccard ≥ stableThreshold. */
  readonly isStable: boolean;
  /** The best Jaccard in each resample, B entries (fpc's bootresult row). */
  readonly jaccards: Float64Array;
}

/** Outcome of assessClusterStability. */
export interface StabilityResult {
  /** One record per original cluster, in cluster order (k entries). */
  readonly clusters: ClusterStability[];
  /** Mean adjusted Rand index between the full-data labels on each resample and the resample's labels. */
  readonly meanAdjustedRandIndex: number;
  /** That index per resample, B entries. */
  readonly adjustedRandIndices: Float64Array;
  /** B. */
  readonly resamples: number;
  /** Mean number of distinct rows per resample (≈ 0.632 n). */
  readonly meanResampleRows: number;
  /** Degraded-result notes (e.g. an empty original cluster). */
  readonly warnings: string[];
}

const DEFAULT_OPTIONS = {
  resamples: 100,
  seed: 0,
  stableThreshold: 0.75,
  dissolvedThreshold: 0.5,
  recoveredThreshold: 0.75,
} as const satisfies Required<StabilityOptions>;

/**
 * Bootstrap stability of each cluster of a partition of x (Hennig 2007).
 *
 * @param x - the clustered data, n × d row-major, finite, n ≥ 1. Not modified.
 * @param labels - the full-data partition, n labels in [0, k).
 * @param k - number of clusters of `labels`.
 * @param cluster - re-clusters a resample (see ReclusterFunction), e.g.
 *   `(sample, seed) => fitKMeans(sample, { k, seed }).labels`.
 * @param options - see StabilityOptions; defaults: 100 resamples, seed 0, thresholds 0.75 / 0.5 / 0.75.
 * @returns per-cluster mean Jaccard, dissolved / recovered counts, isStable and the B Jaccards; the mean
 *   adjusted Rand index; warnings.
 * @throws EngineInputError `shape_mismatch`, `non_finite_value`, `too_few_rows`, `no_columns`, `invalid_k`,
 *   `invalid_label` (labels outside [0, k), or a callback label < 0), `invalid_option`; `shape_mismatch`
 *   when the callback returns a wrong number of labels.
 */
export function assessClusterStability(
  x: DenseMatrix,
  labels: Int32Array,
  k: number,
  cluster: ReclusterFunction,
  options: StabilityOptions = {},
): StabilityResult {
  assertValidMatrix(x, 'x');
  if (!Number.isInteger(k) || k < 1) throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 1`);
  assertLabels(labels, x.rows, k);
  const resamples = options.resamples ?? DEFAULT_OPTIONS.resamples;
  const seed = options.seed ?? DEFAULT_OPTIONS.seed;
  const stableThreshold = options.stableThreshold ?? DEFAULT_OPTIONS.stableThreshold;
  const dissolvedThreshold = options.dissolvedThreshold ?? DEFAULT_OPTIONS.dissolvedThreshold;
  const recoveredThreshold = options.recoveredThreshold ?? DEFAULT_OPTIONS.recoveredThreshold;
  assertIntegerOption('resamples', resamples, 1);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineInputError('invalid_option', `seed = ${seed} must be an integer in [0, 2^32)`);
  }
  for (const [name, value] of [
    ['stableThreshold', stableThreshold],
    ['dissolvedThreshold', dissolvedThreshold],
    ['recoveredThreshold', recoveredThreshold],
  ] as const) {
    if (!(value >= 0 && value <= 1)) throw new EngineInputError('invalid_option', `${name} = ${value} must lie in [0, 1]`);
  }

  const n = x.rows;
  const d = x.cols;
  const random = createRandom(seed);
  const jaccards = new Float64Array(k * resamples);
  const adjustedRandIndices = new Float64Array(resamples);
  const drawn = new Uint8Array(n);
  const originalSizes = new Int32Array(k);
  for (let i = 0; i < n; i++) originalSizes[labels[i]!]!++;
  const restrictedSizes = new Int32Array(k);
  let totalRows = 0;

  for (let b = 0; b < resamples; b++) {
    drawn.fill(0);
    for (let draw = 0; draw < n; draw++) drawn[random.nextInt(n)] = 1;
    let m = 0;
    for (let i = 0; i < n; i++) m += drawn[i]!;
    const rows = new Int32Array(m);
    for (let i = 0, at = 0; i < n; i++) if (drawn[i] === 1) rows[at++] = i;
    const sample = new Float64Array(m * d);
    for (let r = 0; r < m; r++) sample.set(x.data.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
    const restricted = new Int32Array(m);
    for (let r = 0; r < m; r++) restricted[r] = labels[rows[r]!]!;
    totalRows += m;

    const resampleLabels = cluster({ data: sample, rows: m, cols: d }, random.nextUint32());
    if (!(resampleLabels instanceof Int32Array) || resampleLabels.length !== m) {
      throw new EngineInputError(
        'shape_mismatch',
        `the re-clustering of resample ${b} returned ${resampleLabels?.length} labels for its ${m} rows`,
      );
    }
    let resampleClusters = 0;
    for (let r = 0; r < m; r++) {
      const label = resampleLabels[r]!;
      if (label < 0) {
        throw new EngineInputError('invalid_label', `the re-clustering of resample ${b} returned label ${label} at row ${r}`);
      }
      if (label >= resampleClusters) resampleClusters = label + 1;
    }
    bestJaccards(restricted, resampleLabels, k, resampleClusters, restrictedSizes, jaccards, b, resamples);
    adjustedRandIndices[b] = adjustedRandIndex(restricted, resampleLabels);
  }

  const warnings: string[] = [];
  const clusters: ClusterStability[] = [];
  for (let c = 0; c < k; c++) {
    const own = jaccards.subarray(c * resamples, (c + 1) * resamples);
    let sum = 0;
    let dissolvedCount = 0;
    let recoveredCount = 0;
    for (const value of own) {
      sum += value;
      if (value <= dissolvedThreshold) dissolvedCount++;
      if (value > recoveredThreshold) recoveredCount++;
    }
    const meanJaccard = sum / resamples;
    if (originalSizes[c] === 0) warnings.push(`cluster ${c} is empty in the full-data labels: its Jaccard similarities are 0`);
    clusters.push({
      cluster: c,
      size: originalSizes[c]!,
      meanJaccard,
      dissolvedCount,
      recoveredCount,
      isStable: meanJaccard >= stableThreshold,
      jaccards: own.slice(),
    });
  }
  let ariSum = 0;
  for (const value of adjustedRandIndices) ariSum += value;
  return {
    clusters,
    meanAdjustedRandIndex: ariSum / resamples,
    adjustedRandIndices,
    resamples,
    meanResampleRows: totalRows / resamples,
    warnings,
  };
}

/**
 * OUT jaccards[c · B + b] = max over resample clusters l of |C*_c ∩ D_l| / |C*_c ∪ D_l|, 0 when C*_c is
 * empty (fpc's clujaccard with zerobyzero = 0). `restrictedSizes` is k-entry scratch.
 */
function bestJaccards(
  restricted: Int32Array,
  resampleLabels: Int32Array,
  k: number,
  resampleClusters: number,
  restrictedSizes: Int32Array,
  jaccards: Float64Array,
  b: number,
  resamples: number,
): void {
  const m = restricted.length;
  const table = new Int32Array(k * resampleClusters);
  const resampleSizes = new Int32Array(resampleClusters);
  restrictedSizes.fill(0);
  for (let r = 0; r < m; r++) {
    const c = restricted[r]!;
    const l = resampleLabels[r]!;
    table[c * resampleClusters + l]!++;
    restrictedSizes[c]!++;
    resampleSizes[l]!++;
  }
  for (let c = 0; c < k; c++) {
    let best = 0;
    if (restrictedSizes[c]! > 0) {
      for (let l = 0; l < resampleClusters; l++) {
        const both = table[c * resampleClusters + l]!;
        const similarity = both / (restrictedSizes[c]! + resampleSizes[l]! - both);
        if (similarity > best) best = similarity;
      }
    }
    jaccards[c * resamples + b] = best;
  }
}
