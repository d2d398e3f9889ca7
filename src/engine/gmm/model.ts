/**
 * A fitted Gaussian mixture: its parameter layout, the per-row weighted log densities that the EM fit
 * (fit.ts) and prediction (predict.ts) share, and the door check for a model handed back in (e.g. one
 * decoded from storage).
 *
 * Notation: k components, d features, x row-major n × d. Component c has weight w_c, mean μ_c and
 * covariance Σ_c; the log density of row x under it is
 *   log N(x | μ_c, Σ_c) = −½ (d log 2π + ‖(x − μ_c) U_c‖²) + Σ_j log U_c[j][j],
 * with U_c the precision Cholesky factor (U_c U_cᵀ = Σ_c⁻¹), as scikit-learn's
 * `_estimate_log_gaussian_prob`. For 'diag', U_c is diagonal and stored as the d-vector 1/√σ²_c.
 * Complexity per row: O(k · d) for 'diag', O(k · d²/2) for 'full'.
 *
 * Deviation: for 'diag' scikit-learn expands ‖x − μ‖²_P into Σμ²p − 2x·(μp) + x²·p to use matrix
 * products; the kernel here sums (x − μ)² p directly, which costs the same in a loop and does not lose
 * digits when the data sit far from the origin.
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';

/** Shape of the component covariances: 'diag' (d variances each) or 'full' (a d × d matrix each). */
export type CovarianceType = 'diag' | 'full';

/**
 * Parameters of a Gaussian mixture, as scikit-learn's fitted GaussianMixture attributes. Everything
 * needed to serve (predictProbabilities, scoreSamples, posteriorForPartialRow) is here, in typed arrays
 * ready to encode.
 */
export interface GaussianMixtureModel {
  readonly covarianceType: CovarianceType;
  /** Mixing weights, k entries ≥ 0 summing to 1 (`weights_`). */
  readonly weights: Float64Array;
  /** Component means, k × d row-major (`means_`). */
  readonly means: DenseMatrix;
  /**
   * Component covariances, reg_covar included (`covariances_`): 'diag' k × d (variances), 'full'
   * k × d × d row-major (component c's matrix starts at c · d · d).
   */
  readonly covariances: Float64Array;
  /**
   * Precision Cholesky factors, same layout (`precisions_cholesky_`): 'diag' 1/√σ², 'full' the upper
   * triangular U with U Uᵀ = Σ⁻¹ (lower triangle zero).
   */
  readonly precisionsCholesky: Float64Array;
}

export const LOG_2PI = Math.log(2 * Math.PI);

/** Below this, Math.exp returns +0 (the smallest subnormal is exp(−745.13)). */
const EXP_UNDERFLOW = -746;

/**
 * Free parameters of a mixture (scikit-learn's `_n_parameters`): k·d means, k·d variances ('diag') or
 * k·d(d+1)/2 covariance entries ('full'), and k − 1 weights.
 */
export function countParameters(covarianceType: CovarianceType, k: number, d: number): number {
  const covarianceParameters = covarianceType === 'diag' ? k * d : (k * d * (d + 1)) / 2;
  return covarianceParameters + k * d + k - 1;
}

/**
 * What the row kernels read: means, the factor each one multiplies by, and per component
 * log w_c + log det U_c − ½ d log 2π (so a row costs only the quadratic form).
 */
export interface DensityKernel {
  readonly covarianceType: CovarianceType;
  readonly k: number;
  readonly d: number;
  /** k × d. */
  readonly means: Float64Array;
  /** 'diag': k × d precisions (U², the squared factor as scikit-learn squares it); 'full': k × d × d U. */
  readonly factors: Float64Array;
  /** k entries. */
  readonly logNormalizers: Float64Array;
}

/** Buffers one row evaluation needs; allocate once per fit or per batch. */
export interface RowScratch {
  /** k: the row's weighted log densities, then (fit) its responsibilities. */
  readonly logProb: Float64Array;
  /** k × d: x − μ_c for every component. */
  readonly diff: Float64Array;
  /** d: one row of (x − μ) U. */
  readonly projected: Float64Array;
}

export function createRowScratch(k: number, d: number): RowScratch {
  return { logProb: new Float64Array(k), diff: new Float64Array(k * d), projected: new Float64Array(d) };
}

/**
 * OUT kernel.factors and kernel.logNormalizers from weights and precision Cholesky factors (the means
 * buffer is shared, not copied).
 */
export function refreshKernel(kernel: DensityKernel, weights: Float64Array, precisionsCholesky: Float64Array): void {
  const { k, d, factors, logNormalizers } = kernel;
  const constant = -0.5 * d * LOG_2PI;
  if (kernel.covarianceType === 'diag') {
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      for (let j = 0, at = c * d; j < d; j++, at++) {
        const factor = precisionsCholesky[at]!;
        factors[at] = factor * factor;
        logDet += Math.log(factor);
      }
      logNormalizers[c] = Math.log(weights[c]!) + logDet + constant;
    }
  } else {
    factors.set(precisionsCholesky);
    const size = d * d;
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) logDet += Math.log(precisionsCholesky[c * size + j * d + j]!);
      logNormalizers[c] = Math.log(weights[c]!) + logDet + constant;
    }
  }
}

export function createKernel(
  covarianceType: CovarianceType,
  k: number,
  d: number,
  means: Float64Array,
): DensityKernel {
  const factors = new Float64Array(covarianceType === 'diag' ? k * d : k * d * d);
  return { covarianceType, k, d, means, factors, logNormalizers: new Float64Array(k) };
}

/**
 * OUT scratch.logProb[c] = log w_c + log N(x_row | μ_c, Σ_c) and scratch.diff = x_row − μ_c for every c.
 * Returns max_c logProb[c].
 */
export function weightedLogProbRow(kernel: DensityKernel, x: Float64Array, rowOffset: number, scratch: RowScratch): number {
  return kernel.covarianceType === 'diag'
    ? weightedLogProbDiag(kernel, x, rowOffset, scratch)
    : weightedLogProbFull(kernel, x, rowOffset, scratch);
}

function weightedLogProbDiag(kernel: DensityKernel, x: Float64Array, rowOffset: number, scratch: RowScratch): number {
  const { k, d, means, factors, logNormalizers } = kernel;
  const { logProb, diff } = scratch;
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0, at = 0; c < k; c++) {
    let quadratic = 0;
    for (let j = 0; j < d; j++, at++) {
      const delta = x[rowOffset + j]! - means[at]!;
      diff[at] = delta;
      quadratic += delta * delta * factors[at]!;
    }
    const value = logNormalizers[c]! - 0.5 * quadratic;
    logProb[c] = value;
    if (value > max) max = value;
  }
  return max;
}

function weightedLogProbFull(kernel: DensityKernel, x: Float64Array, rowOffset: number, scratch: RowScratch): number {
  const { k, d, means, factors, logNormalizers } = kernel;
  const { logProb, diff, projected } = scratch;
  const size = d * d;
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const meanOffset = c * d;
    for (let j = 0; j < d; j++) diff[meanOffset + j] = x[rowOffset + j]! - means[meanOffset + j]!;
    // projected = diff · U, row by row of the upper-triangular U so the inner loop reads contiguously.
    projected.fill(0);
    for (let r = 0, rowU = c * size; r < d; r++, rowU += d) {
      const value = diff[meanOffset + r]!;
      for (let col = r; col < d; col++) projected[col]! += value * factors[rowU + col]!;
    }
    let quadratic = 0;
    for (let j = 0; j < d; j++) quadratic += projected[j]! * projected[j]!;
    const value = logNormalizers[c]! - 0.5 * quadratic;
    logProb[c] = value;
    if (value > max) max = value;
  }
  return max;
}

/**
 * Log-sum-exp over the row's weighted log densities: OUT scratch.logProb becomes the responsibilities
 * exp(logProb − max) / Σ exp(logProb − max); returns log Σ_c exp(logProb[c]), the row's log-likelihood.
 * Dividing by the sum of exp(v − max) equals scikit-learn's exp(v − logsumexp) up to rounding and saves
 * k exponentials per row.
 */
export function normalizeRow(logProb: Float64Array, k: number, max: number): number {
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const exponent = logProb[c]! - max;
    // exp underflows to exactly 0 below about −745.13; skipping the call there changes nothing.
    const e = exponent < EXP_UNDERFLOW ? 0 : Math.exp(exponent);
    logProb[c] = e;
    sum += e;
  }
  const inverse = 1 / sum;
  for (let c = 0; c < k; c++) logProb[c]! *= inverse;
  return max + Math.log(sum);
}

/**
 * Evaluates every row of x (n × d): OUT outLabels[i] = argmax_c log w_c N(x_i | c) (ties to the lowest
 * index), outProbabilities (n × k row-major) = responsibilities, outLogLikelihoods[i] = log p(x_i); any
 * output may be null. Returns Σ_i log p(x_i).
 */
export function evaluateRows(
  kernel: DensityKernel,
  x: Float64Array,
  n: number,
  outLabels: Int32Array | null,
  outProbabilities: Float64Array | null,
  outLogLikelihoods: Float64Array | null,
): number {
  const { k, d } = kernel;
  const scratch = createRowScratch(k, d);
  const { logProb } = scratch;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const max = weightedLogProbRow(kernel, x, i * d, scratch);
    if (outLabels !== null) {
      let best = 0;
      for (let c = 1; c < k; c++) if (logProb[c]! > logProb[best]!) best = c;
      outLabels[i] = best;
    }
    const logLikelihood = normalizeRow(logProb, k, max);
    if (outProbabilities !== null) outProbabilities.set(logProb, i * k);
    if (outLogLikelihoods !== null) outLogLikelihoods[i] = logLikelihood;
    total += logLikelihood;
  }
  return total;
}

/** Builds the row kernel of a validated model. */
export function kernelOfModel(model: GaussianMixtureModel): DensityKernel {
  const kernel = createKernel(model.covarianceType, model.means.rows, model.means.cols, model.means.data);
  refreshKernel(kernel, model.weights, model.precisionsCholesky);
  return kernel;
}

/**
 * Door check for a model passed to prediction: known covariance type, consistent lengths, finite
 * values, weights ≥ 0 with a positive sum, positive variances and positive diagonals of the precision
 * factors. O(k · d²) for 'full'.
 * @throws EngineInputError `invalid_option`, `shape_mismatch`, `non_finite_value`, `singular_covariance`.
 */
export function assertValidModel(model: GaussianMixtureModel): void {
  const { covarianceType, weights, means, covariances, precisionsCholesky } = model;
  if (covarianceType !== 'diag' && covarianceType !== 'full') {
    throw new EngineInputError('invalid_option', `covarianceType = ${String(covarianceType)} must be 'diag' or 'full'`);
  }
  const k = means.rows;
  const d = means.cols;
  if (!Number.isInteger(k) || !Number.isInteger(d) || k < 1 || d < 1 || means.data.length !== k * d) {
    throw new EngineInputError(
      'shape_mismatch',
      `model means are ${k} × ${d} with ${means.data.length} values; expected k ≥ 1 rows and d ≥ 1 columns`,
    );
  }
  if (weights.length !== k) {
    throw new EngineInputError('shape_mismatch', `model has ${weights.length} weights for k = ${k} means`);
  }
  const perComponent = covarianceType === 'diag' ? d : d * d;
  if (covariances.length !== k * perComponent || precisionsCholesky.length !== k * perComponent) {
    throw new EngineInputError(
      'shape_mismatch',
      `model covariances have ${covariances.length} and precisionsCholesky ${precisionsCholesky.length} values; ` +
        `'${covarianceType}' with k = ${k}, d = ${d} needs ${k * perComponent}`,
    );
  }
  assertFiniteArray(weights, 'model weights');
  assertFiniteArray(means.data, 'model means');
  assertFiniteArray(covariances, 'model covariances');
  assertFiniteArray(precisionsCholesky, 'model precisionsCholesky');
  let weightSum = 0;
  for (let c = 0; c < k; c++) {
    if (weights[c]! < 0) {
      throw new EngineInputError('invalid_option', `model weight ${weights[c]} of component ${c} is negative`);
    }
    weightSum += weights[c]!;
  }
  if (!(weightSum > 0)) throw new EngineInputError('invalid_option', 'model weights sum to 0');
  const diagonalStride = covarianceType === 'diag' ? 1 : d + 1;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const at = c * perComponent + j * diagonalStride;
      if (!(covariances[at]! > 0) || !(precisionsCholesky[at]! > 0)) {
        throw new EngineInputError(
          'singular_covariance',
          `component ${c} has variance ${covariances[at]} and precision factor ${precisionsCholesky[at]} ` +
            `in dimension ${j}; both must be positive`,
        );
      }
    }
  }
}

export function assertFiniteArray(values: Float64Array, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value - value !== 0) {
      throw new EngineInputError('non_finite_value', `${name} has a non-finite value (${value}) at index ${i}`);
    }
  }
}
