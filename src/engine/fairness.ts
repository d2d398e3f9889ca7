/**
 * Statistics of the fairness audit: contingency tables, the chi-square test of independence with its
 * p-value, Cramér's V (plain and bias-corrected), mutual information, balanced accuracy, the
 * four-fifths (disparate impact) ratio, and a seeded stratified cross-validation of a linear
 * classifier that predicts a protected group from the model's features (the proxy check).
 *
 * Notation: a table of r rows (e.g. personas) × c columns (e.g. groups) of counts O_ij, n = Σ O_ij,
 * row sums R_i, column sums C_j, expected counts E_ij = R_i C_j / n. Rows or columns without any
 * count are dropped before testing (they carry no information and would divide by zero); r and c
 * below count the remaining ones.
 *
 * - Chi-square statistic (Pearson): χ² = Σ (O_ij − E_ij)² / E_ij, with (r − 1)(c − 1) degrees of
 *   freedom, no continuity correction (scipy.stats.chi2_contingency(…, correction=False)). Its
 *   p-value is the upper tail of the χ² distribution, Q(dof / 2, χ² / 2) with Q the regularized upper
 *   incomplete gamma function, computed by its series (x < a + 1) or continued fraction (Lentz) as in
 *   Numerical Recipes, 3rd ed., §6.2 (gser / gcf), with ln Γ by the Lanczos approximation (g = 7, n = 9).
 * - Cramér's V = √(φ² / min(r − 1, c − 1)), φ² = χ² / n (Cramér 1946, §21.9): 0 for independence, 1
 *   when one variable determines the other. With many cells V is biased upward on small samples
 *   (independent data of n rows give about √(dof / n)); the bias-corrected V̂ of Bergsma (2013, J. Korean
 *   Stat. Soc. 42, 323–328) uses φ̂² = max(0, φ² − (r − 1)(c − 1)/(n − 1)), r̂ = r − (r − 1)²/(n − 1),
 *   ĉ likewise, V̂ = √(φ̂² / min(r̂ − 1, ĉ − 1)).
 * - Mutual information I(X; Y) = Σ p_ij ln(p_ij / (p_i· p_·j)) in nats, normalized by the arithmetic
 *   mean of the entropies H(X), H(Y) (scikit-learn's normalized_mutual_info_score default): 0…1.
 * - Balanced accuracy: the mean over classes present in the truth of each class's recall
 *   (scikit-learn's balanced_accuracy_score); a constant prediction scores 1 / (classes present).
 * - Four-fifths ratio (US EEOC Uniform Guidelines, 29 CFR 1607.4(D)): lowest selection rate over the
 *   highest; below 0.8 is the conventional evidence of adverse impact.
 *
 * Complexity: O(n + r c) per table; the cross-validation costs `folds` L-BFGS fits of the surrogate
 * (./drivers/surrogate.ts) on at most `sampleSize` rows.
 */
import { fitSurrogate, predictSurrogate } from './drivers/surrogate.ts';
import { EngineInputError } from './errors.ts';
import type { DenseMatrix } from './matrix.ts';
import { createRandom } from './random.ts';
import { assertValidMatrix } from './validate.ts';

/** Counts of two categorical variables: `counts[i * cols + j]` rows with a = i and b = j. */
export interface ContingencyTable {
  readonly counts: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** Rows counted (both codes present). */
  readonly total: number;
}

/**
 * Cross-tabulates two code vectors; a negative code (missing) leaves its row out.
 * @throws EngineInputError `shape_mismatch` (lengths differ), `invalid_category` (a code ≥ its level count)
 */
export function contingencyTable(a: Int32Array, aLevels: number, b: Int32Array, bLevels: number): ContingencyTable {
  if (a.length !== b.length) throw new EngineInputError('shape_mismatch', `the two code vectors have ${a.length} and ${b.length} entries`);
  if (!Number.isInteger(aLevels) || aLevels < 1 || !Number.isInteger(bLevels) || bLevels < 1) {
    throw new EngineInputError('invalid_category', `level counts ${aLevels} and ${bLevels} must be integers ≥ 1`);
  }
  const counts = new Float64Array(aLevels * bLevels);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < 0 || y < 0) continue;
    if (x >= aLevels || y >= bLevels) throw new EngineInputError('invalid_category', `row ${i}: codes ${x}, ${y} exceed the level counts ${aLevels}, ${bLevels}`);
    counts[x * bLevels + y]!++;
    total++;
  }
  return { counts, rows: aLevels, cols: bLevels, total };
}

export interface IndependenceTest {
  /** Pearson's χ² (0 when fewer than two non-empty rows or columns). */
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** P(χ²_dof ≥ statistic); 1 when dof is 0. */
  readonly pValue: number;
  /** Cramér's V, 0…1. */
  readonly cramersV: number;
  /** Bergsma's bias-corrected Cramér's V, 0…1. */
  readonly cramersVCorrected: number;
  readonly n: number;
}

/** Chi-square test of independence with Cramér's V over the non-empty rows and columns of `table`. */
export function chiSquareIndependence(table: ContingencyTable): IndependenceTest {
  const { rowSums, colSums, rowsKept, colsKept } = margins(table);
  const n = table.total;
  const r = rowsKept.length;
  const c = colsKept.length;
  if (r < 2 || c < 2 || n === 0) return { statistic: 0, degreesOfFreedom: 0, pValue: 1, cramersV: 0, cramersVCorrected: 0, n };
  let statistic = 0;
  for (const i of rowsKept) {
    for (const j of colsKept) {
      const expected = (rowSums[i]! * colSums[j]!) / n;
      const difference = table.counts[i * table.cols + j]! - expected;
      statistic += (difference * difference) / expected;
    }
  }
  const degreesOfFreedom = (r - 1) * (c - 1);
  const phi2 = statistic / n;
  const cramersV = Math.min(1, Math.sqrt(phi2 / Math.min(r - 1, c - 1)));
  let cramersVCorrected = 0;
  if (n > 1) {
    const phi2Corrected = Math.max(0, phi2 - degreesOfFreedom / (n - 1));
    const rCorrected = r - ((r - 1) * (r - 1)) / (n - 1);
    const cCorrected = c - ((c - 1) * (c - 1)) / (n - 1);
    const denominator = Math.min(rCorrected - 1, cCorrected - 1);
    cramersVCorrected = denominator > 0 ? Math.min(1, Math.sqrt(phi2Corrected / denominator)) : 0;
  }
  return { statistic, degreesOfFreedom, pValue: regularizedGammaQ(degreesOfFreedom / 2, statistic / 2), cramersV, cramersVCorrected, n };
}

/** Mutual information of the table's two variables in nats, and normalized by the mean of their entropies (0…1). */
export function mutualInformation(table: ContingencyTable): { mutualInformation: number; normalized: number } {
  const { rowSums, colSums } = margins(table);
  const n = table.total;
  if (n === 0) return { mutualInformation: 0, normalized: 0 };
  let mi = 0;
  for (let i = 0; i < table.rows; i++) {
    for (let j = 0; j < table.cols; j++) {
      const count = table.counts[i * table.cols + j]!;
      if (count > 0) mi += (count / n) * Math.log((count * n) / (rowSums[i]! * colSums[j]!));
    }
  }
  const entropyOf = (sums: Float64Array) => {
    let h = 0;
    for (const s of sums) if (s > 0) h -= (s / n) * Math.log(s / n);
    return h;
  };
  const mean = (entropyOf(rowSums) + entropyOf(colSums)) / 2;
  mi = Math.max(0, mi);
  return { mutualInformation: mi, normalized: mean > 0 ? Math.min(1, mi / mean) : 0 };
}

/**
 * Mean recall over the classes that occur in `truth` (codes 0…classes − 1; negative codes skipped).
 * @throws EngineInputError `shape_mismatch`
 */
export function balancedAccuracy(truth: Int32Array, predicted: Int32Array, classes: number): number {
  if (truth.length !== predicted.length) throw new EngineInputError('shape_mismatch', `truth has ${truth.length} entries, predictions ${predicted.length}`);
  const seen = new Float64Array(classes);
  const hit = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i]!;
    if (y < 0 || y >= classes) continue;
    seen[y]!++;
    if (predicted[i] === y) hit[y]!++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    if (seen[c]! === 0) continue;
    sum += hit[c]! / seen[c]!;
    present++;
  }
  return present === 0 ? 0 : sum / present;
}

/**
 * The four-fifths (disparate impact) ratio of selection rates: lowest over highest, with the groups
 * that have them (NaN rates, e.g. of empty groups, are skipped). 1 when no group is selected at all.
 */
export function fourFifthsRatio(rates: ArrayLike<number>): { ratio: number; lowest: number; highest: number } {
  let lowest = -1;
  let highest = -1;
  for (let g = 0; g < rates.length; g++) {
    const rate = rates[g]!;
    if (!Number.isFinite(rate)) continue;
    if (lowest < 0 || rate < rates[lowest]!) lowest = g;
    if (highest < 0 || rate > rates[highest]!) highest = g;
  }
  if (lowest < 0) throw new EngineInputError('too_few_rows', 'no group has a selection rate');
  const top = rates[highest]!;
  return { ratio: top === 0 ? 1 : rates[lowest]! / top, lowest, highest };
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0
 * (Numerical Recipes §6.2: series for x < a + 1, continued fraction otherwise).
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) {
    if (a === 0) return 0;
    throw new EngineInputError('invalid_option', `Q(a, x) needs a > 0 and x ≥ 0 (got a = ${a}, x = ${x})`);
  }
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 10_000;

/** P(a, x) by its series Σ x^n / (a (a+1) … (a+n)) · e^{−x} x^a / Γ(a). */
function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_TERMS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction, evaluated with the modified Lentz method. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; reflection below 0.5). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function margins(table: ContingencyTable) {
  const rowSums = new Float64Array(table.rows);
  const colSums = new Float64Array(table.cols);
  for (let i = 0; i < table.rows; i++) {
    for (let j = 0; j < table.cols; j++) {
      const count = table.counts[i * table.cols + j]!;
      rowSums[i]! += count;
      colSums[j]! += count;
    }
  }
  const rowsKept: number[] = [];
  const colsKept: number[] = [];
  rowSums.forEach((s, i) => s > 0 && rowsKept.push(i));
  colSums.forEach((s, j) => s > 0 && colsKept.push(j));
  return { rowSums, colSums, rowsKept, colsKept };
}

/**
 * Fold of each row (0…folds − 1; −1 for rows without a label), stratified: each class's rows are
 * shuffled (seeded) and dealt round-robin, so every fold keeps the class shares within one row.
 */
export function stratifiedFolds(labels: Int32Array, classes: number, folds: number, seed: number): Int32Array {
  const random = createRandom(seed);
  const fold = new Int32Array(labels.length).fill(-1);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => label >= 0 && label < classes && byClass[label]!.push(i));
  let offset = 0;
  for (const rows of byClass) {
    random.shuffle(rows);
    // Continuing the deal where the previous class stopped keeps the fold sizes within one row.
    rows.forEach((row, position) => (fold[row] = (offset + position) % folds));
    offset = (offset + rows.length) % folds;
  }
  return fold;
}

export interface ProxyClassifierOptions {
  /** Folds of the cross-validation, ≥ 2. Default 5. */
  readonly folds?: number;
  /** Seed of the row sample, the folds and the class balancing. Default 0. */
  readonly seed?: number;
  /** Rows used at most (a stratified seeded sample above it). Default 5,000. */
  readonly sampleSize?: number;
  /** L2 penalty of the logistic regression (see fitSurrogate). Default 1e-2. */
  readonly l2?: number;
}

export interface ProxyClassifierResult {
  /** Cross-validated balanced accuracy of the classifier (out-of-fold predictions). */
  readonly balancedAccuracy: number;
  /** Balanced accuracy of always predicting the majority group: 1 / groups present. */
  readonly baseline: number;
  readonly rows: number;
  readonly folds: number;
}

/**
 * How well the rows of `x` predict `labels` (groups 0…classes − 1; −1: unknown, left out): stratified
 * k-fold cross-validation of a multinomial logistic regression (fitSurrogate), each training fold
 * balanced by repeating the rows of smaller groups up to the largest group's count (equivalent to
 * scikit-learn's class_weight='balanced' up to the penalty's scale), so a minority group cannot be
 * ignored by a classifier that always answers the majority. Balanced accuracy of the out-of-fold
 * predictions, beside the majority baseline.
 * @throws EngineInputError from fitSurrogate (non-finite x), `shape_mismatch`, `invalid_option`
 */
export function crossValidateProxyClassifier(x: DenseMatrix, labels: Int32Array, classes: number, options: ProxyClassifierOptions = {}): ProxyClassifierResult {
  assertValidMatrix(x, 'x');
  if (labels.length !== x.rows) throw new EngineInputError('shape_mismatch', `${labels.length} labels for ${x.rows} rows`);
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 0;
  const sampleSize = options.sampleSize ?? 5_000;
  if (!Number.isInteger(folds) || folds < 2) throw new EngineInputError('invalid_option', `folds = ${folds} must be an integer ≥ 2`);
  const random = createRandom(seed);
  // Rows with a known group; a seeded sample of them when there are more than sampleSize.
  let rows: number[] = [];
  labels.forEach((label, i) => label >= 0 && label < classes && rows.push(i));
  if (rows.length > sampleSize) {
    random.shuffle(rows);
    rows = rows.slice(0, sampleSize).sort((a, b) => a - b);
  }
  const y = Int32Array.from(rows, (row) => labels[row]!);
  const present = new Set(y).size;
  const baseline = present === 0 ? 0 : 1 / present;
  if (present < 2) return { balancedAccuracy: baseline, baseline, rows: rows.length, folds: 0 };
  const fold = stratifiedFolds(y, classes, folds, seed + 1);
  const predicted = new Int32Array(rows.length).fill(-1);
  const d = x.cols;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    fold.forEach((value, i) => (value === f ? test : train).push(i));
    if (test.length === 0) continue;
    const balanced = balanceByRepetition(train, y, classes);
    const trainClasses = new Set(balanced.map((i) => y[i]!)).size;
    if (trainClasses < 2) continue;
    const xs = new Float64Array(balanced.length * d);
    const ys = new Int32Array(balanced.length);
    balanced.forEach((i, position) => {
      xs.set(x.data.subarray(rows[i]! * d, rows[i]! * d + d), position * d);
      ys[position] = y[i]!;
    });
    const model = fitSurrogate({ data: xs, rows: balanced.length, cols: d }, ys, Math.max(2, classes), {
      heldOutShare: 0,
      seed,
      l2: options.l2 ?? 1e-2,
      sampleSize: Math.max(2, balanced.length),
    });
    const xt = new Float64Array(test.length * d);
    test.forEach((i, position) => xt.set(x.data.subarray(rows[i]! * d, rows[i]! * d + d), position * d));
    const prediction = predictSurrogate(model, { data: xt, rows: test.length, cols: d });
    test.forEach((i, position) => (predicted[i] = prediction.labels[position]!));
  }
  return { balancedAccuracy: balancedAccuracy(y, predicted, classes), baseline, rows: rows.length, folds };
}

/** The training rows with each group's rows repeated (cyclically) up to the largest group's count. */
function balanceByRepetition(train: readonly number[], y: Int32Array, classes: number): number[] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const i of train) byClass[y[i]!]!.push(i);
  const largest = Math.max(...byClass.map((rows) => rows.length));
  const out: number[] = [];
  for (const rows of byClass) {
    if (rows.length === 0) continue;
    for (let r = 0; r < largest; r++) out.push(rows[r % rows.length]!);
  }
  return out;
}
