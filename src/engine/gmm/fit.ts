/**
 * Gaussian mixture fitted by expectation–maximisation (Dempster, Laird & Rubin, "Maximum likelihood from
 * incomplete data via the EM algorithm", JRSS B 39(1), 1977), as scikit-learn 1.2's GaussianMixture.
 *
 * Maximises the mean log-likelihood (1/n) Σᵢ log Σ_c w_c N(xᵢ | μ_c, Σ_c) over weights, means and
 * covariances, to a local maximum (hence the restarts). Each iteration is an E-step with the current
 * parameters (responsibilities r_ic ∝ w_c N(xᵢ | c), by log-sum-exp), whose mean log-likelihood is the
 * iteration's lower bound, then an M-step: n_c = Σᵢ r_ic + 10·eps, w_c = n_c / Σ n_c,
 * μ_c = Σᵢ r_ic xᵢ / n_c, Σ_c = Σᵢ r_ic (xᵢ − μ_c)(xᵢ − μ_c)ᵀ / n_c + reg_covar · I (diagonal only for
 * 'diag'). The run stops when the lower bound changes by less than `tolerance` (absolute, on the mean
 * log-likelihood, scikit-learn's `tol`), so the stored lower bound belongs to the parameters *before*
 * the last M-step; the labels and the score come from a final E-step with the returned parameters.
 * BIC = −2 n·score + p ln n (Schwarz 1978), AIC = −2 n·score + 2p, with p from countParameters.
 *
 * Notation: n rows, d features, k components; x is n × d row-major.
 * Complexity: O(iterations · n · k · d) for 'diag', O(iterations · n · k · d²) for 'full', one pass over
 * x per iteration; O(k · d²) memory besides x (no n × k responsibility matrix is kept) plus O(n) for
 * the k-means start.
 *
 * Variant (same results up to rounding, see the fixture test): the E-step and the M-step's sums share
 * one pass over the rows. Each row's responsibilities are computed and immediately accumulated into
 * R_c = Σ r, S1_c = Σ r (x − m_c) and S2_c = Σ r (x − m_c)(x − m_c)ᵀ around the current means m_c
 * (a shifted-data variance: the M-step forms μ_c = (S1_c + m_c R_c)/n_c and
 * Σ_c = (S2_c − δS1_cᵀ − S1_cδᵀ + R_c δδᵀ)/n_c with δ = μ_c − m_c), which neither loses digits for data
 * far from the origin, as E[x²] − E[x]² does, nor needs a second pass. For 'diag' the M-step adds
 * μ²(n_c − R_c)/n_c so the variance equals scikit-learn's Σr x²/n_c − μ² exactly in exact arithmetic
 * (the term matters only for an empty component).
 *
 * Initialisation (init_params='kmeans'): one k-means fit (fitKMeans, k-means++, one run) per restart;
 * responsibilities = the one-hot of its labels, then one M-step. Or explicit weights, means and
 * precisions (or covariances), which makes a single run.
 *
 * Deviations from scikit-learn:
 * - `converged` and `iterations` describe the returned (best) run; scikit-learn's `converged_` is true
 *   when *any* run converged;
 * - a non-positive-definite covariance throws EngineInputError `singular_covariance` naming the
 *   component (scikit-learn raises ValueError with the same advice);
 * - k-means restarts draw their seeds from createRandom(seed), so the starts differ from scikit-learn's
 *   numpy draws (the fixtures therefore give explicit starts);
 * - the k-means start's weights are n_c / Σ n_c like every M-step's; scikit-learn's `_initialize` divides
 *   by n, which differs by k · 10 eps / n relative.
 *
 * References: Dempster, Laird & Rubin 1977; Schwarz 1978; scikit-learn 1.2
 * `sklearn/mixture/_base.py`, `sklearn/mixture/_gaussian_mixture.py`.
 */
import { EngineInputError } from '../errors.ts';
import { fitKMeans } from '../kmeans/fit.ts';
import type { DenseMatrix } from '../matrix.ts';
import { createRandom } from '../random.ts';
import { assertClusterCount, assertIntegerOption, assertValidMatrix } from '../validate.ts';
import { precisionCholeskyFromCovariance, precisionCholeskyFromPrecision } from './linalg.ts';
import {
  assertFiniteArray,
  countParameters,
  createKernel,
  createRowScratch,
  evaluateRows,
  normalizeRow,
  refreshKernel,
  weightedLogProbRow,
} from './model.ts';
import type { CovarianceType, DensityKernel, GaussianMixtureModel, RowScratch } from './model.ts';

export type { CovarianceType, GaussianMixtureModel } from './model.ts';

/**
 * Explicit starting parameters (scikit-learn's weights_init, means_init, precisions_init). Give exactly
 * one of `precisions` and `covariances`.
 */
export interface GaussianMixtureInit {
  /** k weights ≥ 0 summing to 1 (within 1e-8). */
  readonly weights: Float64Array;
  /** k × d row-major. */
  readonly means: DenseMatrix;
  /** 'diag': k × d positive precisions (1/σ²); 'full': k × d × d symmetric positive-definite matrices. */
  readonly precisions?: Float64Array;
  /** Same layout as `precisions`, for covariances (e.g. a previous model's, to warm-start a refit). */
  readonly covariances?: Float64Array;
}

/** Options of fitGaussianMixture. Only `k` is required. */
export interface GaussianMixtureOptions {
  /** Number of components, 1 ≤ k ≤ n. */
  readonly k: number;
  /** 'full' (default, as scikit-learn) or 'diag'. */
  readonly covarianceType?: CovarianceType;
  /** Stop when the mean log-likelihood lower bound changes by less than this (absolute), ≥ 0. Default 1e-3. */
  readonly tolerance?: number;
  /** Added to every covariance diagonal, keeps components positive definite; ≥ 0. Default 1e-6. */
  readonly regCovar?: number;
  /** EM iterations per run, ≥ 1. Default 100. */
  readonly maxIterations?: number;
  /** Restarts from independent k-means starts; the highest lower bound wins. Default 1; 1 when init is given. */
  readonly nInit?: number;
  /** Seed of the k-means starts (unsigned 32-bit integer). Default 0. */
  readonly seed?: number;
  /** Explicit start instead of k-means; then no randomness is used. */
  readonly init?: GaussianMixtureInit;
  /** Called after every EM iteration of every run, for tracing and tests; must not throw. */
  readonly onIteration?: (progress: GaussianMixtureIteration) => void;
}

/** Progress of one EM iteration, as reported to `onIteration`. */
export interface GaussianMixtureIteration {
  /** 0-based restart. */
  readonly run: number;
  /** 1-based iteration within the run. */
  readonly iteration: number;
  /** Mean log-likelihood of this iteration's E-step (parameters before its M-step). */
  readonly lowerBound: number;
  /** lowerBound minus the previous iteration's (+Infinity on the first iteration). */
  readonly change: number;
}

/** Outcome of fitGaussianMixture: the parameters of the best run (a GaussianMixtureModel) and its statistics. */
export interface GaussianMixtureResult extends GaussianMixtureModel {
  /** Lower bound of the best run's last iteration (`lower_bound_`). */
  readonly lowerBound: number;
  /** Mean log-likelihood of x under the returned parameters (`score(X)`). */
  readonly meanLogLikelihood: number;
  /** −2 n · meanLogLikelihood + nParameters · ln n; lower is better. */
  readonly bic: number;
  /** −2 n · meanLogLikelihood + 2 nParameters; lower is better. */
  readonly aic: number;
  /** Free parameters (scikit-learn's `_n_parameters`). */
  readonly nParameters: number;
  /** EM iterations of the returned run (`n_iter_`). */
  readonly iterations: number;
  /** False when the returned run stopped at maxIterations. */
  readonly converged: boolean;
  /** Most probable component of each row, n entries in [0, k) (`predict(X)`). */
  readonly labels: Int32Array;
  /** Rows per component under `labels`, k entries. */
  readonly clusterSizes: Int32Array;
  /** Degraded-result notes for the caller to report (the engine never logs). */
  readonly warnings: string[];
}

const DEFAULT_OPTIONS = {
  covarianceType: 'full',
  tolerance: 1e-3,
  regCovar: 1e-6,
  maxIterations: 100,
  nInit: 1,
  seed: 0,
} as const satisfies Required<
  Pick<GaussianMixtureOptions, 'covarianceType' | 'tolerance' | 'regCovar' | 'maxIterations' | 'nInit' | 'seed'>
>;

/** numpy's float64 eps; scikit-learn adds 10·eps to every n_c so an empty component does not divide by 0. */
const COMPONENT_MASS_FLOOR = 10 * Number.EPSILON;

/**
 * Fits a Gaussian mixture to x by EM.
 *
 * @param x - data, n × d row-major, finite, n ≥ 2. Not modified.
 * @param options - see GaussianMixtureOptions; defaults: covarianceType 'full', tolerance 1e-3,
 *   regCovar 1e-6, maxIterations 100, nInit 1, seed 0, start from k-means.
 * @returns the model (weights k, means k × d, covariances and precision Cholesky factors k × d or
 *   k × d × d), lower bound, mean log-likelihood, BIC, AIC, parameter count, iterations, convergence,
 *   labels (n), cluster sizes (k) and warnings.
 * @throws EngineInputError `too_few_rows` (n < 2 or k > n), `invalid_k`, `no_columns`, `non_finite_value`,
 *   `shape_mismatch` (init arrays not k / k × d / k × d × d), `invalid_option` (an option out of range, init
 *   weights not a distribution, both or neither of init precisions and covariances),
 *   `singular_covariance` (an init matrix or an estimated covariance not positive definite).
 *
 * Complexity: O(nInit · iterations · n · k · d) ('diag') or O(nInit · iterations · n · k · d²) ('full');
 * allocates O(k · d²) once, nothing per iteration.
 */
export function fitGaussianMixture(x: DenseMatrix, options: GaussianMixtureOptions): GaussianMixtureResult {
  assertValidMatrix(x, 'x');
  if (x.rows < 2) throw new EngineInputError('too_few_rows', `a Gaussian mixture needs at least 2 rows, x has ${x.rows}`);
  const { k, init, onIteration } = options;
  assertClusterCount(k, x.rows);
  const covarianceType = options.covarianceType ?? DEFAULT_OPTIONS.covarianceType;
  const tolerance = options.tolerance ?? DEFAULT_OPTIONS.tolerance;
  const regCovar = options.regCovar ?? DEFAULT_OPTIONS.regCovar;
  const maxIterations = options.maxIterations ?? DEFAULT_OPTIONS.maxIterations;
  const requestedRuns = options.nInit ?? DEFAULT_OPTIONS.nInit;
  const seed = options.seed ?? DEFAULT_OPTIONS.seed;
  if (covarianceType !== 'diag' && covarianceType !== 'full') {
    throw new EngineInputError('invalid_option', `covarianceType = ${String(covarianceType)} must be 'diag' or 'full'`);
  }
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new EngineInputError('invalid_option', `tolerance = ${tolerance} must be a finite number ≥ 0`);
  }
  if (!Number.isFinite(regCovar) || regCovar < 0) {
    throw new EngineInputError('invalid_option', `regCovar = ${regCovar} must be a finite number ≥ 0`);
  }
  assertIntegerOption('maxIterations', maxIterations, 1);
  assertIntegerOption('nInit', requestedRuns, 1);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineInputError('invalid_option', `seed = ${seed} must be an integer in [0, 2^32)`);
  }
  const d = x.cols;
  const state = createEmState(covarianceType, x.rows, d, k);
  if (init !== undefined) loadInit(state, init);

  const warnings: string[] = [];
  if (init !== undefined && options.nInit !== undefined && options.nInit > 1) {
    warnings.push(`init given: ran 1 initialisation instead of nInit = ${options.nInit}`);
  }
  const runs = init === undefined ? requestedRuns : 1;
  const random = init === undefined ? createRandom(seed) : undefined;
  const best = {
    weights: new Float64Array(k),
    means: new Float64Array(k * d),
    covariances: new Float64Array(state.covariances.length),
    precisionsCholesky: new Float64Array(state.precisionsCholesky.length),
    lowerBound: Number.NEGATIVE_INFINITY,
    iterations: 0,
    hasConverged: false,
  };

  for (let run = 0; run < runs; run++) {
    // A given start was loaded above and makes a single run.
    if (random !== undefined) startFromKMeans(state, x, random.nextUint32(), regCovar);
    let lowerBound = Number.NEGATIVE_INFINITY;
    let hasConverged = false;
    let iteration = 0;
    while (iteration < maxIterations) {
      iteration++;
      const previous = lowerBound;
      lowerBound = accumulateExpectations(state, x) / x.rows;
      maximise(state, regCovar);
      const change = lowerBound - previous;
      onIteration?.({ run, iteration, lowerBound, change });
      if (Math.abs(change) < tolerance) {
        hasConverged = true;
        break;
      }
    }
    // As scikit-learn: the first run always counts, later ones only with a strictly higher lower bound.
    if (run === 0 || lowerBound > best.lowerBound) {
      best.weights.set(state.weights);
      best.means.set(state.means);
      best.covariances.set(state.covariances);
      best.precisionsCholesky.set(state.precisionsCholesky);
      best.lowerBound = lowerBound;
      best.iterations = iteration;
      best.hasConverged = hasConverged;
    }
  }

  // Final E-step with the returned parameters, so labels and score match predict(x) and score(x).
  const kernel = createKernel(covarianceType, k, d, best.means);
  refreshKernel(kernel, best.weights, best.precisionsCholesky);
  const labels = new Int32Array(x.rows);
  const meanLogLikelihood = evaluateRows(kernel, x.data, x.rows, labels, null, null) / x.rows;
  const clusterSizes = new Int32Array(k);
  for (let i = 0; i < x.rows; i++) clusterSizes[labels[i]!]!++;
  const nParameters = countParameters(covarianceType, k, d);
  const n = x.rows;

  if (!best.hasConverged) {
    warnings.push(`stopped at maxIterations = ${maxIterations} before the lower bound changed by less than ${tolerance}`);
  }
  let emptyComponents = 0;
  for (let c = 0; c < k; c++) if (clusterSizes[c] === 0) emptyComponents++;
  if (emptyComponents > 0) {
    warnings.push(`fewer distinct clusters than k: ${emptyComponents} of k = ${k} components are the most probable for no row`);
  }
  return {
    covarianceType,
    weights: best.weights,
    means: { data: best.means, rows: k, cols: d },
    covariances: best.covariances,
    precisionsCholesky: best.precisionsCholesky,
    lowerBound: best.lowerBound,
    meanLogLikelihood,
    bic: -2 * meanLogLikelihood * n + nParameters * Math.log(n),
    aic: -2 * meanLogLikelihood * n + 2 * nParameters,
    nParameters,
    iterations: best.iterations,
    converged: best.hasConverged,
    labels,
    clusterSizes,
    warnings,
  };
}

/** The parameters of the current run and the M-step's sums; allocated once per fit. */
interface EmState {
  readonly covarianceType: CovarianceType;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  readonly weights: Float64Array;
  /** k × d; shared with the kernel. */
  readonly means: Float64Array;
  readonly covariances: Float64Array;
  readonly precisionsCholesky: Float64Array;
  readonly kernel: DensityKernel;
  readonly row: RowScratch;
  /** k: Σᵢ r_ic. */
  readonly mass: Float64Array;
  /** k × d: Σᵢ r_ic (xᵢ − m_c). */
  readonly firstMoments: Float64Array;
  /** 'diag' k × d: Σᵢ r_ic (xᵢ − m_c)²; 'full' k × d × d (upper triangle): Σᵢ r_ic (xᵢ − m_c)(xᵢ − m_c)ᵀ. */
  readonly secondMoments: Float64Array;
  /** d × d for Cholesky factors. */
  readonly choleskyScratch: Float64Array;
  /** d: μ_c − m_c in the 'full' M-step. */
  readonly delta: Float64Array;
}

function createEmState(covarianceType: CovarianceType, n: number, d: number, k: number): EmState {
  const perComponent = covarianceType === 'diag' ? d : d * d;
  const means = new Float64Array(k * d);
  return {
    covarianceType,
    n,
    d,
    k,
    weights: new Float64Array(k),
    means,
    covariances: new Float64Array(k * perComponent),
    precisionsCholesky: new Float64Array(k * perComponent),
    kernel: createKernel(covarianceType, k, d, means),
    row: createRowScratch(k, d),
    mass: new Float64Array(k),
    firstMoments: new Float64Array(k * d),
    secondMoments: new Float64Array(k * perComponent),
    choleskyScratch: new Float64Array(d * d),
    delta: new Float64Array(d),
  };
}

/**
 * E-step fused with the M-step's sums: for every row, the weighted log densities under the current
 * parameters, their log-sum-exp and the responsibilities, accumulated into mass, firstMoments and
 * secondMoments around the current means. Returns Σᵢ log p(xᵢ).
 */
function accumulateExpectations(state: EmState, x: DenseMatrix): number {
  const { kernel, row, mass, firstMoments, secondMoments, k, d } = state;
  const { logProb, diff } = row;
  const data = x.data;
  const n = x.rows;
  const isDiag = state.covarianceType === 'diag';
  const size = d * d;
  mass.fill(0);
  firstMoments.fill(0);
  secondMoments.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const max = weightedLogProbRow(kernel, data, i * d, row);
    total += normalizeRow(logProb, k, max);
    for (let c = 0; c < k; c++) {
      const r = logProb[c]!;
      // Far components underflow to exactly 0 and contribute nothing; skipping them is exact.
      if (r === 0) continue;
      mass[c]! += r;
      const base = c * d;
      if (isDiag) {
        for (let j = 0; j < d; j++) {
          const weighted = r * diff[base + j]!;
          firstMoments[base + j]! += weighted;
          secondMoments[base + j]! += weighted * diff[base + j]!;
        }
      } else {
        const matrix = c * size;
        for (let a = 0; a < d; a++) {
          const weighted = r * diff[base + a]!;
          firstMoments[base + a]! += weighted;
          const rowOffset = matrix + a * d;
          for (let b = a; b < d; b++) secondMoments[rowOffset + b]! += weighted * diff[base + b]!;
        }
      }
    }
  }
  return total;
}

/**
 * M-step from the sums of accumulateExpectations (taken around the current means): new weights, means,
 * covariances (+ regCovar on the diagonal), precision factors and kernel.
 * @throws EngineInputError `singular_covariance` when a covariance is not positive definite.
 */
function maximise(state: EmState, regCovar: number): void {
  const { k, d, weights, means, covariances, mass, firstMoments, secondMoments, delta } = state;
  let totalMass = 0;
  for (let c = 0; c < k; c++) {
    const r = mass[c]!;
    const nk = r + COMPONENT_MASS_FLOOR;
    weights[c] = nk;
    totalMass += nk;
    const base = c * d;
    if (state.covarianceType === 'diag') {
      for (let j = 0; j < d; j++) {
        const at = base + j;
        const shift = means[at]!;
        const first = firstMoments[at]!;
        const mean = (first + shift * r) / nk;
        const step = mean - shift;
        const centred = secondMoments[at]! - 2 * step * first + step * step * r;
        covariances[at] = centred / nk + (mean * mean * (nk - r)) / nk + regCovar;
        means[at] = mean;
      }
    } else {
      const matrix = c * d * d;
      for (let a = 0; a < d; a++) {
        const shift = means[base + a]!;
        const mean = (firstMoments[base + a]! + shift * r) / nk;
        delta[a] = mean - shift;
        means[base + a] = mean;
      }
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          const value =
            (secondMoments[matrix + a * d + b]! -
              delta[a]! * firstMoments[base + b]! -
              delta[b]! * firstMoments[base + a]! +
              delta[a]! * delta[b]! * r) /
            nk;
          covariances[matrix + a * d + b] = value;
          covariances[matrix + b * d + a] = value;
        }
        covariances[matrix + a * d + a]! += regCovar;
      }
    }
  }
  for (let c = 0; c < k; c++) weights[c]! /= totalMass;
  updatePrecisionFactors(state);
}

/** OUT precisionsCholesky and the kernel from the covariances. @throws EngineInputError `singular_covariance`. */
function updatePrecisionFactors(state: EmState): void {
  const { k, d, covariances, precisionsCholesky, choleskyScratch } = state;
  if (state.covarianceType === 'diag') {
    for (let at = 0; at < k * d; at++) {
      const variance = covariances[at]!;
      if (!(variance > 0)) throw singularCovariance(Math.floor(at / d), `variance ${variance} in dimension ${at % d}`);
      precisionsCholesky[at] = 1 / Math.sqrt(variance);
    }
  } else {
    for (let c = 0; c < k; c++) {
      if (!precisionCholeskyFromCovariance(covariances, c * d * d, d, choleskyScratch, precisionsCholesky)) {
        throw singularCovariance(c, 'a covariance matrix that is not positive definite');
      }
    }
  }
  refreshKernel(state.kernel, state.weights, precisionsCholesky);
}

function singularCovariance(component: number, what: string): EngineInputError {
  return new EngineInputError(
    'singular_covariance',
    `component ${component} has ${what}: it has collapsed onto too few distinct rows; ` +
      'raise regCovar, lower k, or remove duplicate rows',
  );
}

/**
 * k-means start (scikit-learn's init_params='kmeans'): one k-means++/Lloyd fit, then the M-step of the
 * one-hot responsibilities of its labels, with the sums taken around the k-means centres.
 */
function startFromKMeans(state: EmState, x: DenseMatrix, seed: number, regCovar: number): void {
  const { k, d, means, mass, firstMoments, secondMoments } = state;
  const kmeans = fitKMeans(x, { k, seed, nInit: 1 });
  means.set(kmeans.centers.data);
  mass.fill(0);
  firstMoments.fill(0);
  secondMoments.fill(0);
  const isDiag = state.covarianceType === 'diag';
  const size = d * d;
  const data = x.data;
  for (let i = 0; i < x.rows; i++) {
    const c = kmeans.labels[i]!;
    const base = c * d;
    const rowOffset = i * d;
    mass[c]! += 1;
    for (let a = 0; a < d; a++) {
      const diffA = data[rowOffset + a]! - means[base + a]!;
      firstMoments[base + a]! += diffA;
      if (isDiag) {
        secondMoments[base + a]! += diffA * diffA;
      } else {
        const matrixRow = c * size + a * d;
        for (let b = a; b < d; b++) secondMoments[matrixRow + b]! += diffA * (data[rowOffset + b]! - means[base + b]!);
      }
    }
  }
  maximise(state, regCovar);
}

/** Validates an explicit start and loads it into the state. */
function loadInit(state: EmState, init: GaussianMixtureInit): void {
  const { k, d, weights, means, covariances, precisionsCholesky, choleskyScratch } = state;
  const isDiag = state.covarianceType === 'diag';
  const perComponent = isDiag ? d : d * d;
  if (init.weights.length !== k) {
    throw new EngineInputError('shape_mismatch', `init.weights has ${init.weights.length} entries, expected k = ${k}`);
  }
  assertFiniteArray(init.weights, 'init.weights');
  let weightSum = 0;
  for (let c = 0; c < k; c++) {
    if (init.weights[c]! < 0 || init.weights[c]! > 1) {
      throw new EngineInputError('invalid_option', `init.weights[${c}] = ${init.weights[c]} must lie in [0, 1]`);
    }
    weightSum += init.weights[c]!;
  }
  // scikit-learn's _check_weights: np.allclose(|1 − Σw|, 0), i.e. within atol 1e-8.
  if (Math.abs(1 - weightSum) > 1e-8) {
    throw new EngineInputError('invalid_option', `init.weights sum to ${weightSum}; they must sum to 1`);
  }
  if (init.means.rows !== k || init.means.cols !== d) {
    throw new EngineInputError(
      'shape_mismatch',
      `init.means is ${init.means.rows} × ${init.means.cols}, expected k × d = ${k} × ${d}`,
    );
  }
  assertValidMatrix(init.means, 'init.means');
  const given = init.precisions ?? init.covariances;
  if ((init.precisions === undefined) === (init.covariances === undefined) || given === undefined) {
    throw new EngineInputError('invalid_option', 'init needs exactly one of precisions and covariances');
  }
  const name = init.precisions !== undefined ? 'init.precisions' : 'init.covariances';
  if (given.length !== k * perComponent) {
    throw new EngineInputError(
      'shape_mismatch',
      `${name} has ${given.length} values, expected ${isDiag ? `k × d = ${k} × ${d}` : `k × d × d = ${k} × ${d} × ${d}`}`,
    );
  }
  assertFiniteArray(given, name);
  weights.set(init.weights);
  means.set(init.means.data);
  if (isDiag) {
    for (let at = 0; at < k * d; at++) {
      const value = given[at]!;
      if (!(value > 0)) throw singularInit(name, Math.floor(at / d));
      precisionsCholesky[at] = init.precisions !== undefined ? Math.sqrt(value) : 1 / Math.sqrt(value);
    }
  } else {
    for (let c = 0; c < k; c++) {
      const offset = c * d * d;
      assertSymmetric(given, offset, d, name, c);
      const isPositiveDefinite =
        init.precisions !== undefined
          ? precisionCholeskyFromPrecision(given, offset, d, choleskyScratch, precisionsCholesky)
          : precisionCholeskyFromCovariance(given, offset, d, choleskyScratch, precisionsCholesky);
      if (!isPositiveDefinite) throw singularInit(name, c);
    }
  }
  // A precision start leaves the covariances unset: only the factors are read before the first M-step
  // replaces both.
  if (init.covariances !== undefined) covariances.set(init.covariances);
  refreshKernel(state.kernel, weights, precisionsCholesky);
}

function singularInit(name: string, component: number): EngineInputError {
  return new EngineInputError('singular_covariance', `${name} of component ${component} is not positive definite`);
}

/** scikit-learn's `_check_precision_matrix` symmetry test: np.allclose(A, Aᵀ) (rtol 1e-5, atol 1e-8). */
function assertSymmetric(values: Float64Array, offset: number, d: number, name: string, component: number): void {
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const upper = values[offset + a * d + b]!;
      const lower = values[offset + b * d + a]!;
      if (Math.abs(upper - lower) > 1e-8 + 1e-5 * Math.abs(lower)) {
        throw new EngineInputError(
          'invalid_option',
          `${name} of component ${component} is not symmetric: [${a}][${b}] = ${upper}, [${b}][${a}] = ${lower}`,
        );
      }
    }
  }
}
