/**
 * Surrogate classifier for persona drivers: multinomial (softmax) logistic regression with an L2
 * penalty, trained to predict each customer's persona from the standardised features the clustering
 * saw. Its coefficients feed the exact linear SHAP attributions of ./attributions.ts, and its accuracy on
 * held-out customers is the explanation's fidelity: how much of the persona assignment a linear model of
 * the features reproduces.
 *
 * Minimises, over W (k × d) and b (k),
 *   L(W, b) = (1/n_t) Σ_i −log softmax(W x_i + b)_{y_i} + (l2 / 2) ‖W‖²_F
 * on the n_t training rows; the intercepts are not penalised. This is scikit-learn's
 * LogisticRegression(multi_class='multinomial', penalty='l2') objective C Σ_i loss_i + ½ ‖W‖²_F divided
 * by C n_t, so both have the same minimiser when C = 1 / (n_t · l2). Softmax logits are defined up to a
 * constant per row: the penalty pins W (its class sums vanish at the optimum), and the intercepts are
 * reported centred to sum 0 over the classes, as scikit-learn's L-BFGS (started at 0) leaves them.
 *
 * Optimiser: full-batch L-BFGS (./lbfgs.ts, memory 10) from W = 0, b = 0, until the largest absolute
 * gradient entry is ≤ tolerance (default 1e-6) or maxIterations (default 500). The objective is smooth
 * and strictly convex in W (convex in b), so the optimum is unique up to the class-shift of b and L-BFGS
 * reaches it without randomness. Newton/IRLS was not chosen because its Hessian has (k(d + 1))² entries
 * and costs O(n k² d²) per step; an L-BFGS iteration costs O(n k d).
 *
 * Randomness (seeded, createRandom(seed)) is used only to choose rows: when n exceeds sampleSize
 * (default 20,000) a stratified sample of sampleSize rows keeps each persona's share (largest remainders;
 * at least 2 rows of a persona that has them), then each persona's sampled rows are split into held-out (heldOutShare, default 0.2, rounded)
 * and training rows, keeping at least one training row per persona. Personas without rows cannot be
 * fitted: their coefficients are 0 and their intercept −∞, so they are never predicted.
 *
 * Notation: n rows, d columns, k personas (classes), n_t training rows.
 * Complexity: O(n) for the split, O(n_t k d) per L-BFGS iteration (typically 50–300 iterations),
 * O(n k d) to predict. Memory O(n_t d) for the copied training rows plus O(10 k d) for L-BFGS.
 * References: Bishop, Pattern Recognition and Machine Learning, 2006, §4.3.4 (multiclass logistic
 * regression); scikit-learn 1.2 `sklearn/linear_model/_logistic.py` (objective and C scaling);
 * Liu & Nocedal 1989 (L-BFGS).
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { createRandom } from '../random.ts';
import { assertIntegerOption, assertLabels, assertValidMatrix } from '../validate.ts';
import { minimizeLbfgs } from './lbfgs.ts';

/** Options of fitSurrogate; all optional. */
export interface SurrogateOptions {
  /** Seed of the row sample and the held-out split, an integer in [0, 2^32). Default 0. */
  readonly seed?: number;
  /** Share of each persona's (sampled) rows held out to measure accuracy, in [0, 1). 0 fits on every row. Default 0.2. */
  readonly heldOutShare?: number;
  /** L2 penalty strength on the coefficients (not the intercepts), > 0; scikit-learn's C = 1 / (n_t · l2). Default 1e-2. */
  readonly l2?: number;
  /** L-BFGS iteration cap, ≥ 1. Default 500. */
  readonly maxIterations?: number;
  /** Converged when every gradient entry of the objective is at most this in absolute value, > 0. Default 1e-6. */
  readonly tolerance?: number;
  /** Largest number of rows used (training plus held-out); more rows are sampled down, stratified by persona. ≥ 2. Default 20,000. */
  readonly sampleSize?: number;
}

/** A fitted linear softmax model: logit_c(x) = intercepts[c] + Σ_j coefficients[c, j] x_j. */
export interface SurrogateModel {
  /** k × d, row-major: row c holds persona c's weights on the standardised columns. */
  readonly coefficients: DenseMatrix;
  /** k intercepts, centred to sum 0 over the fitted personas; −∞ for a persona without rows. */
  readonly intercepts: Float64Array;
}

/** Outcome of fitSurrogate. */
export interface SurrogateFit extends SurrogateModel {
  /** Share of held-out rows whose persona the model predicts (the explanation's fidelity); null when heldOutShare is 0. */
  readonly heldOutAccuracy: number | null;
  /** Share of training rows whose persona the model predicts. */
  readonly trainAccuracy: number;
  /** Rows the model was fitted on. */
  readonly trainRows: number;
  /** Rows held out for heldOutAccuracy. */
  readonly heldOutRows: number;
  /** trainRows + heldOutRows: all rows when n ≤ sampleSize, else about sampleSize. */
  readonly sampledRows: number;
  /** Whether a sample of the rows was used (n > sampleSize). */
  readonly isSampled: boolean;
  /** The penalty used. */
  readonly l2: number;
  /** Final value of the objective (mean cross-entropy plus penalty) on the training rows. */
  readonly objective: number;
  /** Largest absolute gradient entry at the returned coefficients. */
  readonly gradientMaxNorm: number;
  /** L-BFGS iterations. */
  readonly iterations: number;
  /** Whether the gradient fell below tolerance. */
  readonly converged: boolean;
  /** Degraded-result notes: sampling, personas without rows, no convergence. */
  readonly warnings: string[];
}

/** Outcome of predictSurrogate. */
export interface SurrogatePrediction {
  /** n predicted personas (largest probability, lowest index on ties). */
  readonly labels: Int32Array;
  /** n × k softmax probabilities, row-major. */
  readonly probabilities: DenseMatrix;
}

const DEFAULT_OPTIONS = {
  seed: 0,
  heldOutShare: 0.2,
  // Mild: on z-scored columns it keeps coefficients finite when personas are linearly separable (they
  // usually are, being clusters of these very features) while barely biasing the attributions' ranking.
  l2: 1e-2,
  maxIterations: 500,
  tolerance: 1e-6,
  // Enough rows for a stable linear fit of a few dozen columns; keeps a fit under a few seconds.
  sampleSize: 20_000,
} as const satisfies Required<SurrogateOptions>;

/** Curvature pairs kept by L-BFGS (Liu & Nocedal found 3–20 equally good). */
const LBFGS_MEMORY = 10;

/**
 * Fits the persona surrogate classifier.
 *
 * @param x - n × d standardised features (z-scored numerics, one-hot categoricals), row-major, finite.
 * @param labels - n persona labels in [0, k).
 * @param k - number of personas, ≥ 2; at least two of them must have rows.
 * @param options - see SurrogateOptions; defaults: seed 0, heldOutShare 0.2, l2 1e-2, maxIterations 500,
 *   tolerance 1e-6, sampleSize 20,000.
 * @returns coefficients (k × d), intercepts (k), held-out and training accuracy, row counts, iterations,
 *   convergence and warnings.
 * @throws EngineInputError `shape_mismatch`, `too_few_rows`, `no_columns`, `non_finite_value` (x),
 *   `invalid_k` (k < 2), `invalid_label`, `invalid_label_count` (fewer than two personas have rows),
 *   `invalid_option`.
 */
export function fitSurrogate(x: DenseMatrix, labels: Int32Array, k: number, options: SurrogateOptions = {}): SurrogateFit {
  assertValidMatrix(x, 'x');
  if (!Number.isInteger(k) || k < 2) throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 2`);
  assertLabels(labels, x.rows, k);
  const seed = options.seed ?? DEFAULT_OPTIONS.seed;
  const heldOutShare = options.heldOutShare ?? DEFAULT_OPTIONS.heldOutShare;
  const l2 = options.l2 ?? DEFAULT_OPTIONS.l2;
  const maxIterations = options.maxIterations ?? DEFAULT_OPTIONS.maxIterations;
  const tolerance = options.tolerance ?? DEFAULT_OPTIONS.tolerance;
  const sampleSize = options.sampleSize ?? DEFAULT_OPTIONS.sampleSize;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineInputError('invalid_option', `seed = ${seed} must be an integer in [0, 2^32)`);
  }
  if (!(heldOutShare >= 0 && heldOutShare < 1)) {
    throw new EngineInputError('invalid_option', `heldOutShare = ${heldOutShare} must lie in [0, 1)`);
  }
  if (!(l2 > 0 && Number.isFinite(l2))) throw new EngineInputError('invalid_option', `l2 = ${l2} must be finite and > 0`);
  assertIntegerOption('maxIterations', maxIterations, 1);
  if (!(tolerance > 0 && Number.isFinite(tolerance))) {
    throw new EngineInputError('invalid_option', `tolerance = ${tolerance} must be finite and > 0`);
  }
  assertIntegerOption('sampleSize', sampleSize, 2);

  const n = x.rows;
  const d = x.cols;
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]!]!++;
  // Compact class indices: the softmax is fitted over the personas that have rows only.
  const compactOf = new Int32Array(k).fill(-1);
  let fitted = 0;
  for (let c = 0; c < k; c++) if (counts[c]! > 0) compactOf[c] = fitted++;
  if (fitted < 2) {
    throw new EngineInputError('invalid_label_count', `only ${fitted} of k = ${k} personas have rows; a classifier needs 2`);
  }

  const warnings: string[] = [];
  const roles = chooseRows(labels, k, counts, sampleSize, heldOutShare, seed);
  let trainRows = 0;
  let heldOutRows = 0;
  for (let i = 0; i < n; i++) {
    if (roles[i] === ROLE_TRAIN) trainRows++;
    else if (roles[i] === ROLE_HELD_OUT) heldOutRows++;
  }
  const isSampled = n > sampleSize;
  if (isSampled) {
    warnings.push(`fitted on a seeded stratified sample of ${trainRows + heldOutRows} of ${n} rows (sampleSize = ${sampleSize})`);
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) warnings.push(`persona ${c} has no rows: its coefficients are 0 and its intercept −∞ (never predicted)`);
  }

  // Training rows copied into contiguous storage, in row order, with compact labels.
  const trainX = new Float64Array(trainRows * d);
  const trainY = new Int32Array(trainRows);
  for (let i = 0, t = 0; i < n; i++) {
    if (roles[i] !== ROLE_TRAIN) continue;
    trainX.set(x.data.subarray(i * d, (i + 1) * d), t * d);
    trainY[t++] = compactOf[labels[i]!]!;
  }

  const stride = d + 1;
  const parameters = new Float64Array(fitted * stride);
  const objective = createObjective(trainX, trainY, trainRows, d, fitted, l2);
  const outcome = minimizeLbfgs(objective, parameters, { maxIterations, gradientTolerance: tolerance, memory: LBFGS_MEMORY });
  const converged = outcome.stopReason === 'gradient_tolerance';
  if (outcome.stopReason === 'max_iterations') {
    warnings.push(`stopped at maxIterations = ${maxIterations} before convergence (max |gradient| = ${outcome.gradientMaxNorm.toPrecision(3)})`);
  } else if (outcome.stopReason === 'no_progress') {
    warnings.push(`line search made no progress at max |gradient| = ${outcome.gradientMaxNorm.toPrecision(3)} above tolerance ${tolerance}`);
  }

  let interceptMean = 0;
  for (let c = 0; c < fitted; c++) interceptMean += parameters[c * stride + d]!;
  interceptMean /= fitted;
  const coefficients = new Float64Array(k * d);
  const intercepts = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
  for (let c = 0; c < k; c++) {
    const compact = compactOf[c]!;
    if (compact < 0) continue;
    coefficients.set(parameters.subarray(compact * stride, compact * stride + d), c * d);
    intercepts[c] = parameters[compact * stride + d]! - interceptMean;
  }
  const model: SurrogateModel = { coefficients: { data: coefficients, rows: k, cols: d }, intercepts };

  const logits = new Float64Array(k);
  let trainCorrect = 0;
  let heldOutCorrect = 0;
  for (let i = 0; i < n; i++) {
    const role = roles[i]!;
    if (role === ROLE_UNUSED) continue;
    const predicted = computeLogits(model, x.data, i * d, logits);
    if (predicted !== labels[i]) continue;
    if (role === ROLE_TRAIN) trainCorrect++;
    else heldOutCorrect++;
  }

  return {
    coefficients: model.coefficients,
    intercepts,
    heldOutAccuracy: heldOutRows > 0 ? heldOutCorrect / heldOutRows : null,
    trainAccuracy: trainCorrect / trainRows,
    trainRows,
    heldOutRows,
    sampledRows: trainRows + heldOutRows,
    isSampled,
    l2,
    objective: outcome.objective,
    gradientMaxNorm: outcome.gradientMaxNorm,
    iterations: outcome.iterations,
    converged,
    warnings,
  };
}

/**
 * Persona probabilities and the most probable persona for each row.
 *
 * @param model - a SurrogateModel (k × d coefficients, k intercepts), e.g. from fitSurrogate.
 * @param x - n × d rows standardised as for the fit, finite.
 * @returns labels (n) and probabilities (n × k).
 * @throws EngineInputError `shape_mismatch` (x.cols ≠ d, intercepts ≠ k), `too_few_rows`, `no_columns`,
 *   `non_finite_value`.
 */
export function predictSurrogate(model: SurrogateModel, x: DenseMatrix): SurrogatePrediction {
  assertValidMatrix(x, 'x');
  assertModelShape(model, x.cols);
  const n = x.rows;
  const k = model.coefficients.rows;
  const labels = new Int32Array(n);
  const probabilities = new Float64Array(n * k);
  const logits = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const best = computeLogits(model, x.data, i * x.cols, logits);
    labels[i] = best;
    const max = logits[best]!;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(logits[c]! - max);
      probabilities[i * k + c] = e;
      sum += e;
    }
    const inverse = 1 / sum;
    for (let c = 0; c < k; c++) probabilities[i * k + c]! *= inverse;
  }
  return { labels, probabilities: { data: probabilities, rows: n, cols: k } };
}

/** Checks that the model's coefficient and intercept shapes agree with each other and with d columns. */
export function assertModelShape(model: SurrogateModel, d: number): void {
  const { coefficients, intercepts } = model;
  if (coefficients.data.length !== coefficients.rows * coefficients.cols) {
    throw new EngineInputError(
      'shape_mismatch',
      `model coefficients store ${coefficients.data.length} values, expected ${coefficients.rows} × ${coefficients.cols}`,
    );
  }
  if (coefficients.cols !== d) {
    throw new EngineInputError('shape_mismatch', `model has ${coefficients.cols} columns, x has ${d}`);
  }
  if (intercepts.length !== coefficients.rows) {
    throw new EngineInputError('shape_mismatch', `model has ${intercepts.length} intercepts for ${coefficients.rows} personas`);
  }
}

/** logit_c for every persona of the row at data[offset…] into `out` (k); returns the argmax (lowest index on ties). */
export function computeLogits(model: SurrogateModel, data: Float64Array, offset: number, out: Float64Array): number {
  const { coefficients, intercepts } = model;
  const k = coefficients.rows;
  const d = coefficients.cols;
  const weights = coefficients.data;
  let best = 0;
  for (let c = 0; c < k; c++) {
    let z = intercepts[c]!;
    const base = c * d;
    for (let j = 0; j < d; j++) z += weights[base + j]! * data[offset + j]!;
    out[c] = z;
    if (z > out[best]!) best = c;
  }
  return best;
}

const ROLE_UNUSED = 0;
const ROLE_TRAIN = 1;
const ROLE_HELD_OUT = 2;

/**
 * Role of each row: stratified sample (when n > sampleSize), then a stratified held-out split.
 * Each persona's rows are shuffled by the seeded generator; the first `quota` are used, of which the
 * first `heldOut` are held out.
 */
function chooseRows(
  labels: Int32Array,
  k: number,
  counts: Int32Array,
  sampleSize: number,
  heldOutShare: number,
  seed: number,
): Uint8Array {
  const n = labels.length;
  const starts = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) starts[c + 1] = starts[c]! + counts[c]!;
  const members = new Int32Array(n);
  const cursor = starts.slice(0, k);
  for (let i = 0; i < n; i++) members[cursor[labels[i]!]!++] = i;

  const quotas = sampleQuotas(counts, n, sampleSize);
  const random = createRandom(seed);
  const roles = new Uint8Array(n);
  for (let c = 0; c < k; c++) {
    const size = counts[c]!;
    if (size === 0) continue;
    const group = members.subarray(starts[c]!, starts[c + 1]!);
    random.shuffle(group);
    const quota = quotas[c]!;
    // Keep at least one training row per persona, else its logit would be pushed to −∞.
    const heldOut = Math.min(quota - 1, Math.round(quota * heldOutShare));
    for (let t = 0; t < quota; t++) roles[group[t]!] = t < heldOut ? ROLE_HELD_OUT : ROLE_TRAIN;
  }
  return roles;
}

/**
 * Rows each persona contributes to the sample: all of them when n ≤ sampleSize, else proportional shares
 * of sampleSize by largest remainders (ties to the lower persona), raised to 2 rows (when the persona has
 * them) so a small persona is still fitted and can be held out — which may exceed sampleSize by a few.
 */
function sampleQuotas(counts: Int32Array, n: number, sampleSize: number): Int32Array {
  const k = counts.length;
  const quotas = counts.slice();
  if (n <= sampleSize) return quotas;
  const remainders = new Float64Array(k);
  let assigned = 0;
  for (let c = 0; c < k; c++) {
    const exact = (counts[c]! * sampleSize) / n;
    quotas[c] = Math.floor(exact);
    remainders[c] = exact - quotas[c]!;
    assigned += quotas[c]!;
  }
  for (let extra = sampleSize - assigned; extra > 0; extra--) {
    let best = 0;
    for (let c = 1; c < k; c++) if (remainders[c]! > remainders[best]!) best = c;
    quotas[best]!++;
    remainders[best] = -1;
  }
  for (let c = 0; c < k; c++) quotas[c] = Math.min(counts[c]!, Math.max(2, quotas[c]!));
  return quotas;
}

/**
 * The penalised mean cross-entropy and its gradient over parameters laid out per class as
 * [w_c0 … w_c(d−1), b_c] (stride d + 1). Allocates its logit buffer once.
 */
function createObjective(
  x: Float64Array,
  y: Int32Array,
  n: number,
  d: number,
  k: number,
  l2: number,
): (w: Float64Array, gradientOut: Float64Array) => number {
  const stride = d + 1;
  const scores = new Float64Array(k);
  return (w, gradient) => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const offset = i * d;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const base = c * stride;
        let z = w[base + d]!;
        for (let j = 0; j < d; j++) z += w[base + j]! * x[offset + j]!;
        scores[c] = z;
        if (z > max) max = z;
      }
      const label = y[i]!;
      const labelScore = scores[label]!;
      // log-sum-exp shifted by the largest logit so exp never overflows.
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(scores[c]! - max);
        scores[c] = e;
        sum += e;
      }
      loss += Math.log(sum) + max - labelScore;
      const inverse = 1 / sum;
      for (let c = 0; c < k; c++) {
        const residual = scores[c]! * inverse - (c === label ? 1 : 0);
        const base = c * stride;
        for (let j = 0; j < d; j++) gradient[base + j]! += residual * x[offset + j]!;
        gradient[base + d]! += residual;
      }
    }
    const scale = 1 / n;
    loss *= scale;
    for (let c = 0; c < k; c++) {
      const base = c * stride;
      for (let j = 0; j < d; j++) {
        const weight = w[base + j]!;
        loss += 0.5 * l2 * weight * weight;
        gradient[base + j] = gradient[base + j]! * scale + l2 * weight;
      }
      gradient[base + d]! *= scale;
    }
    return loss;
  };
}
