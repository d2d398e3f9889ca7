/**
 * Serving a k-prototypes (or k-modes) model: the nearest prototype for one customer, possibly with
 * missing values, and for whole matrices.
 *
 * Minimises d(x, c) = Σ_j (x_j − c_j)² + γ · #{ l : x_l ≠ c_l } over the k prototypes (Huang 1997),
 * ties to the lowest index, as kmodes' `predict`.
 * - Cold start: a missing numeric or categorical value (mask entry 0) is left out of the sum, so the
 *   distance runs over the given features only. Every prototype loses the same terms, so the nearest
 *   one is the nearest in the subspace of given features; distances of customers with different
 *   missing features are not on one scale (compare them only with `numericUsed`/`categoricalUsed`).
 * - A category the model never saw (a code outside [0, m_j), e.g. −1 for "unknown") equals no mode, so
 *   it counts one mismatch against every prototype, as kmodes encodes unknown values to −1.
 * Numeric sums use numpy's pairwise order (distance.ts), so a training row gets its training label.
 *
 * Notation: k prototypes, p numeric and q categorical columns.
 * Complexity: O(k · (p + q)) per customer; one Float64Array of p values per call, nothing per prototype.
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { assertValidMatrix } from '../validate.ts';
import { nearestPrototype } from './distance.ts';
import type { MixedMatrix } from './mixed.ts';
import { pairwiseSum } from './mixed.ts';

/** What assignment needs of a fitted model; a KPrototypesResult is one. */
export interface KPrototypesModel {
  /** k × p numeric prototypes (k × 0 for k-modes), in the standardised units the model was fitted in. */
  readonly numericCentroids: DenseMatrix;
  /** k × q modes, row-major codes. */
  readonly modes: Int32Array;
  /** Weight of one categorical mismatch. */
  readonly gamma: number;
}

/** Options of assignKPrototypes. */
export interface AssignKPrototypesOptions {
  /** p entries, 1 where numericRow[j] is given, 0 where missing. Default: all given. */
  readonly numericPresent?: Uint8Array;
  /** q entries, 1 where categoricalRow[j] is given, 0 where missing. Default: all given. */
  readonly categoricalPresent?: Uint8Array;
  /** OUT, k entries: the dissimilarity to every prototype over the given features. */
  readonly outDistances?: Float64Array;
}

/** Nearest prototype of one customer. */
export interface KPrototypesAssignment {
  /** Index of the nearest prototype, in [0, k). */
  readonly label: number;
  /** Its dissimilarity over the given features. */
  readonly distance: number;
  /** Numeric features that entered the distance. */
  readonly numericUsed: number;
  /** Categorical features that entered the distance. */
  readonly categoricalUsed: number;
}

/** Nearest prototypes of many rows. */
export interface KPrototypesPrediction {
  /** Nearest prototype per row (n). */
  readonly labels: Int32Array;
  /** Dissimilarity to it per row (n). */
  readonly distances: Float64Array;
  /** Σ distances. */
  readonly cost: number;
}

/**
 * Assigns one customer to the nearest prototype of a k-prototypes or k-modes model.
 *
 * @param model - numericCentroids k × p (finite, k ≥ 1), modes k × q, gamma ≥ 0.
 * @param numericRow - p values in the model's standardised units; a missing one may hold anything
 *   (NaN included) when numericPresent marks it 0, every given one must be finite.
 * @param categoricalRow - q codes; a code outside the model's categories counts as a mismatch everywhere.
 * @param options - presence masks and an optional OUT buffer for all k distances.
 * @returns label, its distance, and how many numeric and categorical features were used (both 0 gives
 *   label 0 at distance 0: nothing to compare).
 * @throws EngineInputError `shape_mismatch` (row, mask or buffer lengths; modes not k × q),
 *   `non_finite_value` (a given numeric value, or the model), `too_few_rows` (no prototypes),
 *   `invalid_option` (gamma).
 */
export function assignKPrototypes(
  model: KPrototypesModel,
  numericRow: Float64Array,
  categoricalRow: Int32Array,
  options: AssignKPrototypesOptions = {},
): KPrototypesAssignment {
  const { k, p, q } = assertValidModel(model);
  const { numericPresent, categoricalPresent, outDistances } = options;
  if (numericRow.length !== p || categoricalRow.length !== q) {
    throw new EngineInputError(
      'shape_mismatch',
      `the customer has ${numericRow.length} numeric and ${categoricalRow.length} categorical values, the model ${p} and ${q}`,
    );
  }
  if ((numericPresent !== undefined && numericPresent.length !== p) || (categoricalPresent !== undefined && categoricalPresent.length !== q)) {
    throw new EngineInputError('shape_mismatch', `presence masks must have ${p} numeric and ${q} categorical entries`);
  }
  if (outDistances !== undefined && outDistances.length !== k) {
    throw new EngineInputError('shape_mismatch', `outDistances has ${outDistances.length} entries, expected k = ${k}`);
  }
  let numericUsed = 0;
  for (let j = 0; j < p; j++) {
    if (numericPresent !== undefined && numericPresent[j] === 0) continue;
    const value = numericRow[j]!;
    if (value - value !== 0) {
      throw new EngineInputError('non_finite_value', `numeric value ${j} is ${value}; mark it missing in numericPresent instead`);
    }
    numericUsed++;
  }
  let categoricalUsed = 0;
  for (let j = 0; j < q; j++) if (categoricalPresent === undefined || categoricalPresent[j] !== 0) categoricalUsed++;

  const { numericCentroids, modes, gamma } = model;
  const centroids = numericCentroids.data;
  const terms = new Float64Array(p);
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < p; j++) {
      // A missing value contributes an exact 0, which leaves numpy's summation order of the rest intact.
      const isGiven = numericPresent === undefined || numericPresent[j] !== 0;
      const diff = isGiven ? centroids[c * p + j]! - numericRow[j]! : 0;
      terms[j] = diff * diff;
    }
    let mismatches = 0;
    for (let j = 0; j < q; j++) {
      if (categoricalPresent !== undefined && categoricalPresent[j] === 0) continue;
      if (modes[c * q + j] !== categoricalRow[j]) mismatches++;
    }
    const distance = pairwiseSum(terms, 0, p) + gamma * mismatches;
    if (outDistances !== undefined) outDistances[c] = distance;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  }
  return { label: best, distance: bestDistance, numericUsed, categoricalUsed };
}

/**
 * Assigns every row of a complete mixed matrix to its nearest prototype (batch prediction).
 *
 * @param model - as for assignKPrototypes.
 * @param x - numeric part n × p (finite), categorical part n × q (codes; unseen codes are mismatches).
 * @returns labels (n), distances (n) and their sum.
 * @throws EngineInputError `shape_mismatch` (columns differ from the model's, parts with different rows),
 *   `non_finite_value`, `too_few_rows`, `invalid_option`.
 *
 * Complexity: O(n · k · (p + q)).
 */
export function predictKPrototypes(model: KPrototypesModel, x: MixedMatrix): KPrototypesPrediction {
  const { k, p, q } = assertValidModel(model);
  const { numeric, categorical } = x;
  if (numeric.cols !== p || categorical.cols !== q) {
    throw new EngineInputError(
      'shape_mismatch',
      `x has ${numeric.cols} numeric and ${categorical.cols} categorical columns, the model ${p} and ${q}`,
    );
  }
  if (p > 0) {
    assertValidMatrix(numeric, 'x.numeric');
  } else if (numeric.data.length !== 0) {
    throw new EngineInputError('shape_mismatch', `x.numeric stores ${numeric.data.length} values, expected none`);
  }
  const n = categorical.rows;
  if (numeric.rows !== n || categorical.codes.length !== n * q) {
    throw new EngineInputError(
      'shape_mismatch',
      `numeric part has ${numeric.rows} rows, categorical part ${n} rows with ${categorical.codes.length} codes`,
    );
  }
  const labels = new Int32Array(n);
  const distances = new Float64Array(n);
  const scratch = new Float64Array(k);
  const { numericCentroids, modes, gamma } = model;
  let cost = 0;
  for (let i = 0; i < n; i++) {
    const label = nearestPrototype(numeric.data, i * p, categorical.codes, i * q, numericCentroids.data, modes, p, q, k, gamma, scratch);
    labels[i] = label;
    distances[i] = scratch[label]!;
    cost += scratch[label]!;
  }
  return { labels, distances, cost };
}

function assertValidModel(model: KPrototypesModel): { k: number; p: number; q: number } {
  const { numericCentroids, modes, gamma } = model;
  const k = numericCentroids.rows;
  const p = numericCentroids.cols;
  if (!Number.isInteger(k) || k < 1) throw new EngineInputError('too_few_rows', `the model has ${k} prototypes`);
  if (p > 0) {
    assertValidMatrix(numericCentroids, 'model.numericCentroids');
  } else if (numericCentroids.data.length !== 0) {
    throw new EngineInputError('shape_mismatch', `model.numericCentroids stores ${numericCentroids.data.length} values, expected none`);
  }
  const q = modes.length / k;
  if (!Number.isInteger(q)) {
    throw new EngineInputError('shape_mismatch', `model.modes has ${modes.length} codes, not a multiple of k = ${k}`);
  }
  if (!Number.isFinite(gamma) || gamma < 0) {
    throw new EngineInputError('invalid_option', `model.gamma = ${gamma} must be a finite number ≥ 0`);
  }
  return { k, p, q };
}
