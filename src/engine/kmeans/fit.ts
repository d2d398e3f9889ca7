/**
 * k-means estimator: validates at the door, seeds with greedy k-means++, runs Lloyd's algorithm
 * nInit times and keeps the run with the lowest inertia (scikit-learn's `KMeans.fit`).
 *
 * Minimises the inertia Σᵢ ‖xᵢ − c_{label(i)}‖² over k centres (a local minimum: the problem is
 * NP-hard, hence the restarts).
 * Complexity: O(nInit · (k-means++ + iterations · n · k · d)) time with Lloyd's assignment; Hamerly's
 * bounds (the default) skip most of the n · k · d work after the first iterations. O(n + k · d) memory
 * besides x with Lloyd, O(4n + k · d) with Hamerly.
 * Tolerance is relative, as scikit-learn's `_tolerance`: the absolute threshold on the squared centre
 * shift is tolerance × the mean of the column variances of x, so it does not depend on the data's units.
 *
 * The fit is a serial driver (a generator) that yields passes over row chunks (workspace.ts): fitKMeans
 * runs them in the calling thread, and src/compute runs the same driver with the passes spread over
 * worker threads, with bit-identical results.
 *
 * Deviation: a later run replaces the best one only if its inertia is strictly lower *and* its
 * partition differs (scikit-learn's `_is_same_clustering`; here the label mapping is checked in both
 * directions, so a coarser partition is never mistaken for the same one). The same partition found
 * twice differs only by rounding, and keeping the first makes the result independent of that noise.
 *
 * References: Lloyd 1982; Arthur & Vassilvitskii 2007; Hamerly 2010; scikit-learn 1.2
 * `sklearn/cluster/_kmeans.py`.
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { createRandom } from '../random.ts';
import { assertClusterCount, assertIntegerOption, assertValidMatrix } from '../validate.ts';
import { runHamerlySteps } from './hamerly.ts';
import { seedKMeansPlusPlusSteps } from './init.ts';
import type { LloydIteration, RunOutcome } from './lloyd.ts';
import { computeCenterNorms, createIterationBuffers, labelRows, measureAssigned, runLloydSteps, sumPartials } from './lloyd.ts';
import { runStepsInThread } from './phases.ts';
import { createKMeansWorkspace } from './workspace.ts';
import type { BufferAllocator, KMeansAlgorithm, KMeansPhase, KMeansWorkspace } from './workspace.ts';

export type { LloydIteration } from './lloyd.ts';
export type { KMeansAlgorithm } from './workspace.ts';

/** Options of fitKMeans. Only `k` is required. */
export interface KMeansOptions {
  /** Number of clusters, 1 ≤ k ≤ n. */
  readonly k: number;
  /** Seed of the k-means++ draws (unsigned 32-bit integer). Default 0. */
  readonly seed?: number;
  /** Restarts from independent k-means++ seedings; the lowest inertia wins. Default 3; 1 when initialCenters is given. */
  readonly nInit?: number;
  /** Lloyd iterations per run. Default 300. */
  readonly maxIterations?: number;
  /** Relative tolerance on the squared centre shift (× mean column variance), ≥ 0. Default 1e-4. */
  readonly tolerance?: number;
  /**
   * Assignment step: 'hamerly' (default) skips the distances that Hamerly's bounds prove useless and
   * gives the same labels and iterations as 'lloyd', the plain scan (see hamerly.ts).
   */
  readonly algorithm?: KMeansAlgorithm;
  /** Starting centres, k × d row-major. When given, no randomness is used and a single run is made. */
  readonly initialCenters?: DenseMatrix;
  /** Called after every iteration of every run, for tracing and tests; must not throw. */
  readonly onIteration?: (progress: LloydIteration) => void;
}

/** Outcome of fitKMeans: the best of the nInit runs. */
export interface KMeansResult {
  /** Cluster of each row, n entries in [0, k). */
  readonly labels: Int32Array;
  /** Centres, k × d row-major, in the units of x. */
  readonly centers: DenseMatrix;
  /** Σᵢ ‖xᵢ − c_{label(i)}‖² for the returned labels and centres. */
  readonly inertia: number;
  /** Lloyd iterations of the returned run, counted as scikit-learn's n_iter_. */
  readonly iterations: number;
  /** False when the returned run stopped at maxIterations. */
  readonly converged: boolean;
  /** Rows per cluster, k entries. */
  readonly clusterSizes: Int32Array;
  /** Degraded-result notes for the caller to report (the engine never logs). */
  readonly warnings: string[];
}

/**
 * A validated fit, ready to run: the workspace its phases work on and the serial driver that yields
 * them. Run it with runStepsInThread, or spread each yielded phase over threads with runKMeansPhase on
 * disjoint chunk ranges (the workspace must then have been allocated over SharedArrayBuffers, x
 * included); the driver's return value is the fit's result.
 */
export interface KMeansFitPlan {
  readonly workspace: KMeansWorkspace;
  readonly steps: Generator<KMeansPhase, KMeansResult, void>;
}

const DEFAULT_OPTIONS = {
  seed: 0,
  nInit: 3,
  maxIterations: 300,
  tolerance: 1e-4,
  algorithm: 'hamerly',
} as const satisfies Required<Pick<KMeansOptions, 'seed' | 'nInit' | 'maxIterations' | 'tolerance' | 'algorithm'>>;

/**
 * Fits k-means to x.
 *
 * @param x - data, n × d row-major, finite values. Not modified.
 * @param options - see KMeansOptions; defaults: seed 0, nInit 3, maxIterations 300, tolerance 1e-4,
 *   algorithm 'hamerly'.
 * @returns labels (n), centres (k × d), inertia, iterations, convergence flag, cluster sizes and warnings
 *   ("fewer distinct clusters than k", "stopped at maxIterations").
 * @throws EngineInputError `too_few_rows` (k > n), `invalid_k` (k < 1 or not an integer),
 *   `non_finite_value` (NaN/±Infinity in x or initialCenters, with row and column), `shape_mismatch`
 *   (initialCenters not k × d, or storage length ≠ rows × cols), `no_columns`, `invalid_option`.
 *
 * Complexity: O(nInit · iterations · n · k · d) at worst; allocates O(n + k · d) once, nothing per iteration.
 */
export function fitKMeans(x: DenseMatrix, options: KMeansOptions): KMeansResult {
  const plan = planKMeansFit(x, options);
  return runStepsInThread(plan.workspace, plan.steps);
}

/**
 * Validates a fit as fitKMeans does and returns its workspace and driver without running anything.
 *
 * @param allocate - storage for the workspace's buffers; pass one returning SharedArrayBuffers to run
 *   the phases in several threads (x.data must then be shared too). Default: ArrayBuffer.
 * @throws EngineInputError as fitKMeans.
 */
export function planKMeansFit(x: DenseMatrix, options: KMeansOptions, allocate?: BufferAllocator): KMeansFitPlan {
  assertValidMatrix(x, 'x');
  const { k, initialCenters } = options;
  assertClusterCount(k, x.rows);
  const seed = options.seed ?? DEFAULT_OPTIONS.seed;
  const requestedRuns = options.nInit ?? DEFAULT_OPTIONS.nInit;
  const maxIterations = options.maxIterations ?? DEFAULT_OPTIONS.maxIterations;
  const tolerance = options.tolerance ?? DEFAULT_OPTIONS.tolerance;
  const algorithm = options.algorithm ?? DEFAULT_OPTIONS.algorithm;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineInputError('invalid_option', `seed = ${seed} must be an integer in [0, 2^32)`);
  }
  assertIntegerOption('nInit', requestedRuns, 1);
  assertIntegerOption('maxIterations', maxIterations, 1);
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new EngineInputError('invalid_option', `tolerance = ${tolerance} must be a finite number ≥ 0`);
  }
  if (algorithm !== 'lloyd' && algorithm !== 'hamerly') {
    throw new EngineInputError('invalid_option', `algorithm = ${String(algorithm)} must be 'lloyd' or 'hamerly'`);
  }
  if (initialCenters !== undefined) {
    if (initialCenters.rows !== k || initialCenters.cols !== x.cols) {
      throw new EngineInputError(
        'shape_mismatch',
        `initialCenters is ${initialCenters.rows} × ${initialCenters.cols}, expected k × d = ${k} × ${x.cols}`,
      );
    }
    assertValidMatrix(initialCenters, 'initialCenters');
  }
  const workspace = createKMeansWorkspace(
    x.data,
    x.rows,
    x.cols,
    k,
    { algorithm, seeding: initialCenters === undefined, iterations: true },
    allocate,
  );
  const settings: FitSettings = {
    seed,
    runs: initialCenters === undefined ? requestedRuns : 1,
    requestedRuns: options.nInit,
    maxIterations,
    tolerance,
    initialCenters,
    onIteration: options.onIteration,
  };
  return { workspace, steps: fitSteps(workspace, settings) };
}

interface FitSettings {
  readonly seed: number;
  readonly runs: number;
  readonly requestedRuns: number | undefined;
  readonly maxIterations: number;
  readonly tolerance: number;
  readonly initialCenters: DenseMatrix | undefined;
  readonly onIteration: ((progress: LloydIteration) => void) | undefined;
}

/** The serial driver of a fit: column statistics, then per run k-means++ (or the given start) and iterations. */
function* fitSteps(workspace: KMeansWorkspace, settings: FitSettings): Generator<KMeansPhase, KMeansResult, void> {
  const { n, d, k, shift, centers, labels, partials, partialStride, chunkCount, algorithm } = workspace;
  const { runs, maxIterations, initialCenters, onIteration } = settings;
  const warnings: string[] = [];
  if (initialCenters !== undefined && settings.requestedRuns !== undefined && settings.requestedRuns > 1) {
    warnings.push(`initialCenters given: ran 1 initialisation instead of nInit = ${settings.requestedRuns}`);
  }

  // Column means, then the mean of the column variances in a second pass over the deviations, which
  // avoids the cancellation of E[x²] − E[x]².
  yield 'column-sums';
  shift.fill(0);
  for (let chunk = 0, base = 0; chunk < chunkCount; chunk++, base += partialStride) {
    for (let j = 0; j < d; j++) shift[j]! += partials[base + j]!;
  }
  for (let j = 0; j < d; j++) shift[j]! /= n;
  yield 'column-squares';
  const toleranceAbs = settings.tolerance * (sumPartials(workspace, 0) / n / d);

  const random = initialCenters === undefined ? createRandom(settings.seed) : undefined;
  const buffers = createIterationBuffers(d, k);
  const bestLabels = new Int32Array(n);
  const bestCenters = new Float64Array(k * d);
  const mappingScratch = new Int32Array(2 * k);
  let bestInertia = Number.POSITIVE_INFINITY;
  let bestIterations = 0;
  let isBestConverged = false;

  for (let run = 0; run < runs; run++) {
    if (random === undefined) {
      centers.set(initialCenters!.data);
    } else {
      yield* seedKMeansPlusPlusSteps(workspace, random, centers);
    }
    subtractRow(centers, k, d, shift);

    const outcome: RunOutcome =
      algorithm === 'hamerly'
        ? yield* runHamerlySteps(workspace, buffers, maxIterations, toleranceAbs, run, onIteration)
        : yield* runLloydSteps(workspace, buffers, maxIterations, toleranceAbs, run, onIteration);
    const isNewBest =
      run === 0 || (outcome.inertia < bestInertia && !isSamePartition(labels, bestLabels, k, mappingScratch));
    if (isNewBest) {
      bestLabels.set(labels);
      bestCenters.set(centers);
      bestInertia = outcome.inertia;
      bestIterations = outcome.iterations;
      isBestConverged = outcome.hasConverged;
    }
  }

  addRow(bestCenters, k, d, shift);
  const clusterSizes = new Int32Array(k);
  for (let i = 0; i < n; i++) clusterSizes[bestLabels[i]!]!++;
  let distinctClusters = 0;
  for (let c = 0; c < k; c++) if (clusterSizes[c]! > 0) distinctClusters++;
  if (!isBestConverged) {
    warnings.push(`stopped at maxIterations = ${maxIterations} before convergence`);
  }
  if (distinctClusters < k) {
    warnings.push(
      `fewer distinct clusters than k: found ${distinctClusters} of k = ${k}, possibly due to duplicate rows`,
    );
  }
  return {
    labels: bestLabels,
    centers: { data: bestCenters, rows: k, cols: d },
    inertia: bestInertia,
    iterations: bestIterations,
    converged: isBestConverged,
    clusterSizes,
    warnings,
  };
}

/**
 * Assigns each row of x to its nearest centre (prediction).
 *
 * @param x - rows to assign, n × d row-major, finite.
 * @param centers - k × d row-major, finite, k ≥ 1.
 * @param outLabels - OUT, length n: index of the nearest centre; ties go to the lowest index.
 * @param outDistances - OUT, length n: squared Euclidean distance to that centre.
 * @returns the inertia, Σ outDistances.
 * @throws EngineInputError `shape_mismatch` (column counts, buffer lengths), `non_finite_value`,
 *   `too_few_rows` (no rows or no centres), `no_columns`.
 *
 * Complexity: O(n · k · d). The argmin uses ‖c‖² − 2x·c on data shifted by the mean of the centres
 * (for accuracy when the data sit far from the origin); the reported distances are computed directly.
 */
export function assignToNearest(
  x: DenseMatrix,
  centers: DenseMatrix,
  outLabels: Int32Array,
  outDistances: Float64Array,
): number {
  assertValidMatrix(x, 'x');
  assertValidMatrix(centers, 'centers');
  const n = x.rows;
  const d = x.cols;
  const k = centers.rows;
  if (centers.cols !== d) {
    throw new EngineInputError('shape_mismatch', `centers have ${centers.cols} columns, x has ${d}`);
  }
  if (outLabels.length !== n || outDistances.length !== n) {
    throw new EngineInputError(
      'shape_mismatch',
      `outLabels has ${outLabels.length} and outDistances ${outDistances.length} entries, expected ${n} (one per row)`,
    );
  }
  const shift = new Float64Array(d);
  const shifted = new Float64Array(centers.data);
  columnMeansAndMeanVariance(shifted, k, d, shift);
  subtractRow(shifted, k, d, shift);
  const norms = new Float64Array(k);
  computeCenterNorms(shifted, k, d, norms);
  labelRows(x.data, n, d, k, shift, shifted, norms, new Float64Array(2 * d), outLabels);
  return measureAssigned(x.data, n, d, shift, shifted, outLabels, outDistances);
}

/**
 * OUT means[j] = column mean of m (n × d); returns the mean over columns of the population variances,
 * computed in two passes (mean, then squared deviations) to avoid the cancellation of E[x²] − E[x]².
 */
function columnMeansAndMeanVariance(data: Float64Array, n: number, d: number, outMeans: Float64Array): number {
  outMeans.fill(0);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let j = 0; j < d; j++) outMeans[j]! += data[offset + j]!;
  }
  for (let j = 0; j < d; j++) outMeans[j]! /= n;
  let sumSquares = 0;
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let j = 0; j < d; j++) {
      const diff = data[offset + j]! - outMeans[j]!;
      sumSquares += diff * diff;
    }
  }
  return sumSquares / n / d;
}

function subtractRow(matrix: Float64Array, rows: number, d: number, row: Float64Array): void {
  for (let i = 0, offset = 0; i < rows; i++, offset += d) {
    for (let j = 0; j < d; j++) matrix[offset + j]! -= row[j]!;
  }
}

function addRow(matrix: Float64Array, rows: number, d: number, row: Float64Array): void {
  for (let i = 0, offset = 0; i < rows; i++, offset += d) {
    for (let j = 0; j < d; j++) matrix[offset + j]! += row[j]!;
  }
}

/**
 * True when the two labellings describe the same partition up to renaming clusters (a bijection
 * between the labels actually used). `mappingScratch` has length 2k.
 */
function isSamePartition(a: Int32Array, b: Int32Array, k: number, mappingScratch: Int32Array): boolean {
  mappingScratch.fill(-1);
  for (let i = 0; i < a.length; i++) {
    const labelA = a[i]!;
    const labelB = b[i]!;
    const mappedB = mappingScratch[labelA]!;
    const mappedA = mappingScratch[k + labelB]!;
    if (mappedB === -1 && mappedA === -1) {
      mappingScratch[labelA] = labelB;
      mappingScratch[k + labelB] = labelA;
    } else if (mappedB !== labelB || mappedA !== labelA) {
      return false;
    }
  }
  return true;
}
