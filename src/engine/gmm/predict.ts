/**
 * Serving a fitted Gaussian mixture: component probabilities (responsibilities) and log-likelihoods of
 * new rows, and the posterior of one customer with missing features.
 *
 * Rows: as scikit-learn's predict_proba / score_samples / predict, by log-sum-exp over
 * log w_c + log N(x | μ_c, Σ_c) (model.ts). O(n · k · d) for 'diag', O(n · k · d²) for 'full'.
 *
 * Missing features: the marginal of a Gaussian over the observed dimensions S is again Gaussian, with
 * mean μ_S and covariance Σ_SS (the sub-matrix of the observed rows and columns), so the posterior over
 * components given only x_S is ∝ w_c N(x_S | μ_c,S, Σ_c,SS) — the exact marginal, not an imputation.
 * 'diag' simply drops the missing dimensions; 'full' factors Σ_c,SS (m × m, m observed dimensions) on
 * the fly: O(k · m³/3) per call, fine for the d ≤ 100 features of a persona model.
 * Reference: Bishop, "Pattern Recognition and Machine Learning", 2006, §2.3.2 (marginal Gaussians).
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { assertValidMatrix } from '../validate.ts';
import { choleskyLower } from './linalg.ts';
import {
  LOG_2PI,
  assertValidModel,
  createRowScratch,
  evaluateRows,
  kernelOfModel,
  normalizeRow,
  weightedLogProbRow,
} from './model.ts';
import type { GaussianMixtureModel } from './model.ts';

/** Everything predictGaussianMixture computes for a batch of rows. */
export interface GaussianMixturePrediction {
  /** Most probable component per row, n entries in [0, k); ties go to the lowest index. */
  readonly labels: Int32Array;
  /** Responsibilities, n × k row-major; each row sums to 1. */
  readonly probabilities: DenseMatrix;
  /** log p(xᵢ) under the mixture, n entries (scikit-learn's score_samples). */
  readonly logLikelihoods: Float64Array;
}

/** Posterior of one row whose features are partly missing. */
export interface PartialRowPosterior {
  /** Membership probabilities over the k components given the present features; sums to 1. */
  readonly probabilities: Float64Array;
  /** Most probable component; ties go to the lowest index. */
  readonly label: number;
  /** log of the marginal density of the present features, log Σ_c w_c N(x_S | μ_c,S, Σ_c,SS); 0 when none is present. */
  readonly logLikelihood: number;
  /** Number of features used (m). */
  readonly presentDimensions: number;
}

/**
 * Labels, responsibilities and log-likelihoods of the rows of x in one pass.
 *
 * @param model - a fitted mixture (fitGaussianMixture's result or a decoded GaussianMixtureModel).
 * @param x - rows, n × d row-major, finite, d = the model's feature count.
 * @throws EngineInputError `shape_mismatch`, `non_finite_value`, `too_few_rows`, `no_columns`, or a model
 *   problem (`invalid_option`, `singular_covariance`).
 */
export function predictGaussianMixture(model: GaussianMixtureModel, x: DenseMatrix): GaussianMixturePrediction {
  assertRowsForModel(model, x);
  const k = model.means.rows;
  const labels = new Int32Array(x.rows);
  const probabilities = new Float64Array(x.rows * k);
  const logLikelihoods = new Float64Array(x.rows);
  evaluateRows(kernelOfModel(model), x.data, x.rows, labels, probabilities, logLikelihoods);
  return { labels, probabilities: { data: probabilities, rows: x.rows, cols: k }, logLikelihoods };
}

/**
 * Component membership probabilities (scikit-learn's predict_proba).
 *
 * @param x - rows, n × d row-major, finite.
 * @returns n × k row-major responsibilities; each row sums to 1.
 * @throws EngineInputError as predictGaussianMixture.
 */
export function predictProbabilities(model: GaussianMixtureModel, x: DenseMatrix): DenseMatrix {
  assertRowsForModel(model, x);
  const k = model.means.rows;
  const probabilities = new Float64Array(x.rows * k);
  evaluateRows(kernelOfModel(model), x.data, x.rows, null, probabilities, null);
  return { data: probabilities, rows: x.rows, cols: k };
}

/**
 * Log-likelihood of each row under the mixture, log Σ_c w_c N(xᵢ | μ_c, Σ_c) (scikit-learn's
 * score_samples; their mean is `score`).
 *
 * @param x - rows, n × d row-major, finite.
 * @returns n log-likelihoods.
 * @throws EngineInputError as predictGaussianMixture.
 */
export function scoreSamples(model: GaussianMixtureModel, x: DenseMatrix): Float64Array {
  assertRowsForModel(model, x);
  const logLikelihoods = new Float64Array(x.rows);
  evaluateRows(kernelOfModel(model), x.data, x.rows, null, null, logLikelihoods);
  return logLikelihoods;
}

/**
 * Posterior over components for one customer with missing features, from the marginal Gaussian of the
 * present dimensions (see the file header). With every dimension present it equals the row's
 * predictProbabilities; with none present it returns the weights.
 *
 * @param model - a fitted mixture; 'full' models need consistent `covariances` (as fitted).
 * @param values - d values in model feature order; entries of missing dimensions are ignored (NaN is fine).
 * @param present - which dimensions are present: a d-entry mask (non-zero = present) as a Uint8Array,
 *   or a list of distinct dimension indices in [0, d) (Int32Array or number[], any order).
 * @returns probabilities (k), label, log-likelihood of the present values, number of present dimensions.
 * @throws EngineInputError `shape_mismatch` (values or mask length ≠ d), `invalid_option` (an index
 *   outside [0, d) or repeated), `non_finite_value` (a present value), or a model problem.
 *
 * Complexity: O(k · m) for 'diag', O(k · m³) for 'full' with m present dimensions; allocates O(m² + k · d).
 */
export function posteriorForPartialRow(
  model: GaussianMixtureModel,
  values: Float64Array,
  present: Uint8Array | Int32Array | readonly number[],
): PartialRowPosterior {
  assertValidModel(model);
  const k = model.means.rows;
  const d = model.means.cols;
  if (values.length !== d) {
    throw new EngineInputError('shape_mismatch', `values has ${values.length} entries, the model has d = ${d} features`);
  }
  const dimensions = presentDimensions(present, d);
  const m = dimensions.length;
  for (const j of dimensions) {
    const value = values[j]!;
    if (value - value !== 0) {
      throw new EngineInputError('non_finite_value', `values has a non-finite value (${value}) in present dimension ${j}`);
    }
  }
  const scratch = createRowScratch(k, d);
  const logProb = scratch.logProb;
  let max: number;
  if (m === d) {
    // The full row: the same kernel as predictProbabilities, so the two agree exactly.
    max = weightedLogProbRow(kernelOfModel(model), values, 0, scratch);
  } else if (m === 0) {
    let weightSum = 0;
    for (let c = 0; c < k; c++) weightSum += model.weights[c]!;
    const probabilities = new Float64Array(k);
    let label = 0;
    for (let c = 0; c < k; c++) {
      probabilities[c] = model.weights[c]! / weightSum;
      if (probabilities[c]! > probabilities[label]!) label = c;
    }
    return { probabilities, label, logLikelihood: 0, presentDimensions: 0 };
  } else if (model.covarianceType === 'diag') {
    max = marginalLogProbDiag(model, values, dimensions, logProb);
  } else {
    max = marginalLogProbFull(model, values, dimensions, logProb);
  }
  let label = 0;
  for (let c = 1; c < k; c++) if (logProb[c]! > logProb[label]!) label = c;
  const logLikelihood = normalizeRow(logProb, k, max);
  return { probabilities: logProb, label, logLikelihood, presentDimensions: m };
}

/** OUT logProb[c] = log w_c + log N(x_S | μ_c,S, diag σ²_c,S); returns the maximum. */
function marginalLogProbDiag(
  model: GaussianMixtureModel,
  values: Float64Array,
  dimensions: Int32Array,
  outLogProb: Float64Array,
): number {
  const k = model.means.rows;
  const d = model.means.cols;
  const means = model.means.data;
  const factors = model.precisionsCholesky;
  const constant = -0.5 * dimensions.length * LOG_2PI;
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    let quadratic = 0;
    for (const j of dimensions) {
      const factor = factors[c * d + j]!;
      const delta = values[j]! - means[c * d + j]!;
      logDet += Math.log(factor);
      quadratic += delta * delta * (factor * factor);
    }
    const value = Math.log(model.weights[c]!) + constant + logDet - 0.5 * quadratic;
    outLogProb[c] = value;
    if (value > max) max = value;
  }
  return max;
}

/**
 * OUT logProb[c] = log w_c + log N(x_S | μ_c,S, Σ_c,SS), from the Cholesky factor L of Σ_c,SS:
 * quadratic form ‖L⁻¹(x_S − μ_c,S)‖², log det Σ_c,SS = 2 Σ log L_ii. Returns the maximum.
 * @throws EngineInputError `singular_covariance` when a sub-matrix is not positive definite.
 */
function marginalLogProbFull(
  model: GaussianMixtureModel,
  values: Float64Array,
  dimensions: Int32Array,
  outLogProb: Float64Array,
): number {
  const k = model.means.rows;
  const d = model.means.cols;
  const m = dimensions.length;
  const means = model.means.data;
  const covariances = model.covariances;
  const sub = new Float64Array(m * m);
  const solved = new Float64Array(m);
  const constant = -0.5 * m * LOG_2PI;
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const matrix = c * d * d;
    for (let a = 0; a < m; a++) {
      const rowOffset = matrix + dimensions[a]! * d;
      for (let b = 0; b <= a; b++) sub[a * m + b] = covariances[rowOffset + dimensions[b]!]!;
    }
    if (!choleskyLower(sub, 0, m, m, sub, 0, m)) {
      throw new EngineInputError(
        'singular_covariance',
        `the covariance of component ${c} restricted to the present dimensions is not positive definite`,
      );
    }
    let quadratic = 0;
    let halfLogDet = 0;
    for (let a = 0; a < m; a++) {
      let sum = values[dimensions[a]!]! - means[c * d + dimensions[a]!]!;
      for (let b = 0; b < a; b++) sum -= sub[a * m + b]! * solved[b]!;
      const z = sum / sub[a * m + a]!;
      solved[a] = z;
      quadratic += z * z;
      halfLogDet += Math.log(sub[a * m + a]!);
    }
    const value = Math.log(model.weights[c]!) + constant - halfLogDet - 0.5 * quadratic;
    outLogProb[c] = value;
    if (value > max) max = value;
  }
  return max;
}

/** The present dimensions in increasing order, from a d-entry mask or an index list. */
function presentDimensions(present: Uint8Array | Int32Array | readonly number[], d: number): Int32Array {
  if (present instanceof Uint8Array) {
    if (present.length !== d) {
      throw new EngineInputError('shape_mismatch', `present mask has ${present.length} entries, the model has d = ${d} features`);
    }
    let m = 0;
    for (let j = 0; j < d; j++) if (present[j] !== 0) m++;
    const dimensions = new Int32Array(m);
    for (let j = 0, at = 0; j < d; j++) if (present[j] !== 0) dimensions[at++] = j;
    return dimensions;
  }
  const seen = new Uint8Array(d);
  for (let at = 0; at < present.length; at++) {
    const j = present[at]!;
    if (!Number.isInteger(j) || j < 0 || j >= d) {
      throw new EngineInputError('invalid_option', `present dimension ${j} is outside [0, ${d})`);
    }
    if (seen[j] === 1) throw new EngineInputError('invalid_option', `present dimension ${j} is listed twice`);
    seen[j] = 1;
  }
  return presentDimensions(seen, d);
}

function assertRowsForModel(model: GaussianMixtureModel, x: DenseMatrix): void {
  assertValidModel(model);
  assertValidMatrix(x, 'x');
  if (x.cols !== model.means.cols) {
    throw new EngineInputError('shape_mismatch', `x has ${x.cols} columns, the model has d = ${model.means.cols} features`);
  }
}
