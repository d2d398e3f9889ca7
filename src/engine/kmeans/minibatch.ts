/**
 * Mini-batch k-means (Sculley, "Web-scale k-means clustering", WWW 2010), as scikit-learn's
 * `MiniBatchKMeans` (1.2).
 *
 * Minimises the inertia Σᵢ ‖xᵢ − c_{label(i)}‖² approximately: each step draws a batch of rows
 * uniformly with replacement, assigns them to their nearest centres and moves each centre towards the
 * mean of its batch rows with a per-centre learning rate 1 / (rows it has seen so far), i.e. every
 * centre is the running mean of all rows ever assigned to it.
 *
 * Notation: n rows, d columns, k clusters, b rows per batch; x is n × d row-major. Centres are kept
 * minus the column means of x (`shift`), as in lloyd.ts, for the accuracy of ‖c‖² − 2x·c.
 * Complexity: O(steps · b · k · d) for the steps, plus one O(n · k · d) assignment of all rows at the
 * end; O(b · d + n) extra memory.
 *
 * Variant: scikit-learn's `MiniBatchKMeans.fit`:
 * - initialisation: `nInit` greedy k-means++ seedings, each on `initSize` rows drawn with replacement,
 *   scored by the inertia on one validation draw of `initSize` rows; the lowest wins;
 * - update (`_minibatch_update_dense`): c ← (c · count + Σ batch rows) / (count + batch rows);
 * - reassignment (`_mini_batch_step`): whenever 10·k rows have been seen since the last one, or a
 *   centre has never been assigned a row, centres whose count is below reassignmentRatio × the
 *   largest count move to batch rows drawn without replacement (at most b / 2 of them), and their
 *   counts become the smallest count among the others;
 * - stopping (`_mini_batch_convergence`): after maxIterations · n / b steps, or when the squared
 *   centre shift of a step is ≤ tolerance × mean column variance (tolerance 0 disables it), or when an
 *   exponentially weighted average of the batch inertia per row, with weight 2b / (n + 1), has not
 *   improved for maxNoImprovement steps (the first step is ignored);
 * - the returned labels and inertia come from a final assignment of every row (compute_labels).
 *
 * Deviations: draws come from the engine's seeded generator, so the same seed does not give
 * scikit-learn's batches; data are centred (scikit-learn's mini-batch path does not centre), which
 * changes only rounding; ties go to the lower centre index, as in lloyd.ts.
 *
 * References: Sculley 2010; Arthur & Vassilvitskii 2007; scikit-learn 1.2 `sklearn/cluster/_kmeans.py`.
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { createRandom } from '../random.ts';
import type { Random } from '../random.ts';
import { assertClusterCount, assertIntegerOption, assertValidMatrix } from '../validate.ts';
import type { KMeansResult } from './fit.ts';
import { seedKMeansPlusPlusInThread } from './init.ts';
import { computeCenterNorms, labelRows, measureAssigned } from './lloyd.ts';

/** Options of fitMiniBatchKMeans. Only `k` is required. */
export interface MiniBatchKMeansOptions {
  /** Number of clusters, 1 ≤ k ≤ n. */
  readonly k: number;
  /** Seed of all draws (unsigned 32-bit integer). Default 0. */
  readonly seed?: number;
  /** Rows per batch, ≥ 1 (capped at n). Default 1024. */
  readonly batchSize?: number;
  /** Passes over the data, as scikit-learn's max_iter: at most ⌊maxIterations · n / batchSize⌋ steps. Default 100. */
  readonly maxIterations?: number;
  /** Steps without improvement of the smoothed batch inertia before stopping, ≥ 0; 0 disables. Default 10. */
  readonly maxNoImprovement?: number;
  /** Relative tolerance on a step's squared centre shift (× mean column variance), ≥ 0; 0 disables. Default 0. */
  readonly tolerance?: number;
  /** Rows drawn for each k-means++ seeding and for the validation draw, ≥ k. Default 3 · batchSize (at least 3k), capped at n. */
  readonly initSize?: number;
  /** k-means++ seedings to choose from. Default 3; 1 when initialCenters is given. */
  readonly nInit?: number;
  /** Centres with fewer than this fraction of the largest count are moved to batch rows; in [0, 1], 0 disables. Default 0.01. */
  readonly reassignmentRatio?: number;
  /** Starting centres, k × d row-major; replaces the seedings. */
  readonly initialCenters?: DenseMatrix;
}

/** Outcome of fitMiniBatchKMeans: fitKMeans' result plus the number of mini-batch steps. */
export interface MiniBatchKMeansResult extends KMeansResult {
  /** Mini-batch steps taken (scikit-learn's n_steps_); `iterations` counts passes, ⌈steps · b / n⌉. */
  readonly steps: number;
}

const DEFAULTS = {
  seed: 0,
  batchSize: 1024,
  maxIterations: 100,
  maxNoImprovement: 10,
  tolerance: 0,
  nInit: 3,
  reassignmentRatio: 0.01,
} as const;

/**
 * Fits k-means by mini-batches.
 *
 * @param x - data, n × d row-major, finite values. Not modified.
 * @param options - see MiniBatchKMeansOptions; defaults: seed 0, batchSize 1024, maxIterations 100,
 *   maxNoImprovement 10, tolerance 0, initSize 3 · batchSize, nInit 3, reassignmentRatio 0.01.
 * @returns labels (n) and inertia from a final assignment of every row to the centres (k × d), the
 *   passes (`iterations`) and `steps`, `converged` (false when the step budget ran out), cluster sizes
 *   and warnings.
 * @throws EngineInputError `too_few_rows`, `invalid_k`, `non_finite_value`, `shape_mismatch`,
 *   `no_columns`, `invalid_option` (an option outside its range).
 *
 * Complexity: O(steps · batchSize · k · d + n · k · d).
 */
export function fitMiniBatchKMeans(x: DenseMatrix, options: MiniBatchKMeansOptions): MiniBatchKMeansResult {
  assertValidMatrix(x, 'x');
  const { k, initialCenters } = options;
  assertClusterCount(k, x.rows);
  const n = x.rows;
  const d = x.cols;
  const seed = options.seed ?? DEFAULTS.seed;
  const requestedBatchSize = options.batchSize ?? DEFAULTS.batchSize;
  const maxIterations = options.maxIterations ?? DEFAULTS.maxIterations;
  const maxNoImprovement = options.maxNoImprovement ?? DEFAULTS.maxNoImprovement;
  const tolerance = options.tolerance ?? DEFAULTS.tolerance;
  const requestedRuns = options.nInit ?? DEFAULTS.nInit;
  const reassignmentRatio = options.reassignmentRatio ?? DEFAULTS.reassignmentRatio;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineInputError('invalid_option', `seed = ${seed} must be an integer in [0, 2^32)`);
  }
  assertIntegerOption('batchSize', requestedBatchSize, 1);
  assertIntegerOption('maxIterations', maxIterations, 1);
  assertIntegerOption('maxNoImprovement', maxNoImprovement, 0);
  assertIntegerOption('nInit', requestedRuns, 1);
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new EngineInputError('invalid_option', `tolerance = ${tolerance} must be a finite number ≥ 0`);
  }
  if (!(reassignmentRatio >= 0 && reassignmentRatio <= 1)) {
    throw new EngineInputError('invalid_option', `reassignmentRatio = ${reassignmentRatio} must lie in [0, 1]`);
  }
  if (options.initSize !== undefined) {
    assertIntegerOption('initSize', options.initSize, k);
  }
  if (initialCenters !== undefined) {
    if (initialCenters.rows !== k || initialCenters.cols !== d) {
      throw new EngineInputError(
        'shape_mismatch',
        `initialCenters is ${initialCenters.rows} × ${initialCenters.cols}, expected k × d = ${k} × ${d}`,
      );
    }
    assertValidMatrix(initialCenters, 'initialCenters');
  }

  const batchSize = Math.min(requestedBatchSize, n);
  // scikit-learn: 3 · batch_size, raised to 3k when that is smaller than k, capped at n.
  let initSize = options.initSize ?? 3 * batchSize;
  if (options.initSize === undefined && initSize < k) initSize = 3 * k;
  initSize = Math.min(initSize, n);
  const warnings: string[] = [];
  if (initialCenters !== undefined && options.nInit !== undefined && options.nInit > 1) {
    warnings.push(`initialCenters given: ran 1 initialisation instead of nInit = ${options.nInit}`);
  }

  const data = x.data;
  const shift = new Float64Array(d);
  const toleranceAbs = tolerance * columnMeansAndMeanVariance(data, n, d, shift);
  const random = createRandom(seed);
  const centers = new Float64Array(k * d);
  chooseStart(x, k, initialCenters, initSize, requestedRuns, shift, random, centers);

  const outcome = runMiniBatches(data, n, d, k, shift, centers, random, {
    batchSize,
    steps: Math.floor((maxIterations * n) / batchSize),
    maxNoImprovement,
    toleranceAbs,
    reassignmentRatio,
  });

  // Final assignment of every row (scikit-learn's compute_labels).
  const labels = new Int32Array(n);
  const norms = new Float64Array(k);
  computeCenterNorms(centers, k, d, norms);
  labelRows(data, n, d, k, shift, centers, norms, new Float64Array(2 * d), labels);
  const inertia = measureAssigned(data, n, d, shift, centers, labels, new Float64Array(n));
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j]! += shift[j]!;
  const clusterSizes = new Int32Array(k);
  for (let i = 0; i < n; i++) clusterSizes[labels[i]!]!++;
  let distinctClusters = 0;
  for (let c = 0; c < k; c++) if (clusterSizes[c]! > 0) distinctClusters++;
  if (!outcome.hasConverged) {
    warnings.push(`stopped after maxIterations = ${maxIterations} passes (${outcome.steps} steps) before convergence`);
  }
  if (distinctClusters < k) {
    warnings.push(`fewer distinct clusters than k: found ${distinctClusters} of k = ${k}, possibly due to duplicate rows`);
  }
  return {
    labels,
    centers: { data: centers, rows: k, cols: d },
    inertia,
    iterations: Math.ceil((outcome.steps * batchSize) / n),
    steps: outcome.steps,
    converged: outcome.hasConverged,
    clusterSizes,
    warnings,
  };
}

/**
 * OUT centers (k × d, centred): initialCenters, or the best of `runs` k-means++ seedings on random
 * draws of initSize rows, judged by the inertia on one validation draw made before them.
 */
function chooseStart(
  x: DenseMatrix,
  k: number,
  initialCenters: DenseMatrix | undefined,
  initSize: number,
  runs: number,
  shift: Float64Array,
  random: Random,
  outCenters: Float64Array,
): void {
  const { data, rows: n, cols: d } = x;
  if (initialCenters !== undefined) {
    outCenters.set(initialCenters.data);
    subtractShift(outCenters, k, d, shift);
    return;
  }
  const validation = gatherRows(data, d, drawRows(random, n, initSize), shift);
  const validationLabels = new Int32Array(initSize);
  const validationDistances = new Float64Array(initSize);
  const candidate = new Float64Array(k * d);
  const norms = new Float64Array(k);
  const rowScratch = new Float64Array(2 * d);
  const noShift = new Float64Array(d);
  let bestInertia = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const subset = gatherRows(data, d, drawRows(random, n, initSize), noShift);
    seedKMeansPlusPlusInThread(subset, initSize, d, k, random, candidate);
    subtractShift(candidate, k, d, shift);
    computeCenterNorms(candidate, k, d, norms);
    labelRows(validation, initSize, d, k, noShift, candidate, norms, rowScratch, validationLabels);
    const inertia = measureAssigned(validation, initSize, d, noShift, candidate, validationLabels, validationDistances);
    if (inertia < bestInertia) {
      bestInertia = inertia;
      outCenters.set(candidate);
    }
  }
}

interface MiniBatchSettings {
  readonly batchSize: number;
  readonly steps: number;
  readonly maxNoImprovement: number;
  readonly toleranceAbs: number;
  readonly reassignmentRatio: number;
}

/** The mini-batch steps from IN/OUT centers (centred); returns the steps taken and whether a rule stopped them. */
function runMiniBatches(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  shift: Float64Array,
  centers: Float64Array,
  random: Random,
  settings: MiniBatchSettings,
): { steps: number; hasConverged: boolean } {
  const { batchSize, maxNoImprovement, toleranceAbs, reassignmentRatio } = settings;
  const batch = new Float64Array(batchSize * d);
  const batchLabels = new Int32Array(batchSize);
  const batchDistances = new Float64Array(batchSize);
  const batchCounts = new Float64Array(k);
  const counts = new Float64Array(k);
  const norms = new Float64Array(k);
  const nextCenters = new Float64Array(k * d);
  const rowScratch = new Float64Array(2 * d);
  const noShift = new Float64Array(d);
  const toReassign = new Uint8Array(k);
  const order = new Int32Array(k);
  const pool = new Int32Array(batchSize);
  // Weight of a batch in the moving average of the inertia, 2b / (n + 1) as scikit-learn.
  const smoothing = Math.min(1, (batchSize * 2) / (n + 1));
  let smoothedInertia = Number.NaN;
  let bestSmoothedInertia = Number.NaN;
  let stepsWithoutImprovement = 0;
  let rowsSinceReassignment = 0;

  for (let step = 0; step < settings.steps; step++) {
    for (let r = 0; r < batchSize; r++) {
      const row = random.nextInt(n);
      for (let j = 0; j < d; j++) batch[r * d + j] = data[row * d + j]! - shift[j]!;
    }
    computeCenterNorms(centers, k, d, norms);
    labelRows(batch, batchSize, d, k, noShift, centers, norms, rowScratch, batchLabels);
    const batchInertia = measureAssigned(batch, batchSize, d, noShift, centers, batchLabels, batchDistances);

    // Decided before the update, from the counts so far, as scikit-learn's _random_reassign.
    rowsSinceReassignment += batchSize;
    const isReassigning = counts.includes(0) || rowsSinceReassignment >= 10 * k;
    if (isReassigning) rowsSinceReassignment = 0;

    // c ← (c · count + Σ rows) / (count + rows), adding the rows one by one as scikit-learn.
    batchCounts.fill(0);
    for (let r = 0; r < batchSize; r++) batchCounts[batchLabels[r]!]!++;
    for (let c = 0; c < k; c++) {
      const scale = batchCounts[c]! > 0 ? counts[c]! : 1;
      for (let j = c * d; j < (c + 1) * d; j++) nextCenters[j] = centers[j]! * scale;
    }
    for (let r = 0; r < batchSize; r++) {
      const offset = batchLabels[r]! * d;
      for (let j = 0; j < d; j++) nextCenters[offset + j]! += batch[r * d + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (batchCounts[c] === 0) continue;
      counts[c]! += batchCounts[c]!;
      const alpha = 1 / counts[c]!;
      for (let j = c * d; j < (c + 1) * d; j++) nextCenters[j]! *= alpha;
    }

    if (isReassigning && reassignmentRatio > 0) {
      reassignLowCounts(counts, reassignmentRatio, batch, batchSize, d, k, random, nextCenters, toReassign, order, pool);
    }

    let centerShiftSq = 0;
    if (toleranceAbs > 0) {
      for (let j = 0; j < k * d; j++) {
        const diff = nextCenters[j]! - centers[j]!;
        centerShiftSq += diff * diff;
      }
    }
    centers.set(nextCenters);

    // Early stopping as scikit-learn's _mini_batch_convergence; the first step's inertia reflects the
    // initialisation only, so it is not averaged.
    if (step === 0) continue;
    const inertiaPerRow = batchInertia / batchSize;
    smoothedInertia = Number.isNaN(smoothedInertia) ? inertiaPerRow : smoothedInertia * (1 - smoothing) + inertiaPerRow * smoothing;
    if (toleranceAbs > 0 && centerShiftSq <= toleranceAbs) return { steps: step + 1, hasConverged: true };
    if (Number.isNaN(bestSmoothedInertia) || smoothedInertia < bestSmoothedInertia) {
      stepsWithoutImprovement = 0;
      bestSmoothedInertia = smoothedInertia;
    } else {
      stepsWithoutImprovement++;
    }
    if (maxNoImprovement > 0 && stepsWithoutImprovement >= maxNoImprovement) {
      return { steps: step + 1, hasConverged: true };
    }
  }
  return { steps: settings.steps, hasConverged: false };
}

/**
 * scikit-learn's random reassignment: centres whose count is below ratio × the largest count (at most
 * b / 2 of them, the lowest counts first) move to distinct batch rows drawn uniformly, and their counts
 * become the smallest count among the other centres. OUT nextCenters, counts.
 */
function reassignLowCounts(
  counts: Float64Array,
  ratio: number,
  batch: Float64Array,
  batchSize: number,
  d: number,
  k: number,
  random: Random,
  nextCenters: Float64Array,
  toReassign: Uint8Array,
  order: Int32Array,
  pool: Int32Array,
): void {
  let largest = 0;
  for (let c = 0; c < k; c++) if (counts[c]! > largest) largest = counts[c]!;
  let reassignCount = 0;
  for (let c = 0; c < k; c++) {
    toReassign[c] = counts[c]! < ratio * largest ? 1 : 0;
    reassignCount += toReassign[c]!;
  }
  const limit = Math.floor(0.5 * batchSize);
  if (reassignCount > limit) {
    // Keep only the `limit` lowest counts (stable order), as scikit-learn's argsort.
    for (let c = 0; c < k; c++) order[c] = c;
    order.sort((a, b) => counts[a]! - counts[b]! || a - b);
    for (let p = limit; p < k; p++) toReassign[order[p]!] = 0;
    reassignCount = limit;
  }
  if (reassignCount === 0) return;
  // Distinct batch rows by a partial Fisher–Yates shuffle.
  for (let r = 0; r < batchSize; r++) pool[r] = r;
  let drawn = 0;
  let smallestKept = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    if (toReassign[c] === 0) {
      if (counts[c]! < smallestKept) smallestKept = counts[c]!;
      continue;
    }
    const pick = drawn + random.nextInt(batchSize - drawn);
    const row = pool[pick]!;
    pool[pick] = pool[drawn]!;
    pool[drawn] = row;
    drawn++;
    for (let j = 0; j < d; j++) nextCenters[c * d + j] = batch[row * d + j]!;
  }
  // Not reset to 0, so a moved centre is not moved again at once (scikit-learn's comment calls it a hack).
  for (let c = 0; c < k; c++) if (toReassign[c] === 1) counts[c] = smallestKept;
}

/** `count` row indices drawn uniformly from [0, n) with replacement. */
function drawRows(random: Random, n: number, count: number): Int32Array {
  const rows = new Int32Array(count);
  for (let r = 0; r < count; r++) rows[r] = random.nextInt(n);
  return rows;
}

/** The listed rows of x (row-major, d columns) minus `shift`, as a new row-major buffer. */
function gatherRows(data: Float64Array, d: number, rows: Int32Array, shift: Float64Array): Float64Array {
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0; j < d; j++) out[r * d + j] = data[rows[r]! * d + j]! - shift[j]!;
  }
  return out;
}

function subtractShift(matrix: Float64Array, rows: number, d: number, shift: Float64Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) matrix[i * d + j]! -= shift[j]!;
}

/** OUT means (d): column means of data; returns the mean column variance (two passes). */
function columnMeansAndMeanVariance(data: Float64Array, n: number, d: number, outMeans: Float64Array): number {
  outMeans.fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) outMeans[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) outMeans[j]! /= n;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const diff = data[i * d + j]! - outMeans[j]!;
      sumSquares += diff * diff;
    }
  }
  return sumSquares / n / d;
}
