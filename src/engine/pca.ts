/**
 * Principal component analysis (Pearson 1901; Hotelling 1933), as scikit-learn 1.2's PCA with
 * svd_solver='full' and whiten=False: for persona maps (2-D scatter of customers and centres) and for
 * the stored model's summary.
 *
 * Finds the c orthonormal directions of largest variance of the centred data: the leading right singular
 * vectors of X − 1μᵀ, which are the leading eigenvectors of its scatter matrix G = (X − 1μᵀ)ᵀ(X − 1μᵀ).
 * explained variance = eigenvalue / (n − 1) (= singular value² / (n − 1)), ratio = that / total variance,
 * noise variance = mean explained variance of the components left out (of the min(n, d) there are).
 *
 * Notation: n rows, d features, c components; x is n × d row-major.
 * Complexity: O(n · d²) to form G in one pass after the mean, O(d³) for its symmetric eigendecomposition
 * (ml-matrix's EigenvalueDecomposition, Householder tridiagonalisation + QL), O(n · d · c) for the sign
 * rule; O(d²) memory. The customers' features number in the tens, so G is tiny whatever n is.
 *
 * Deviation: scikit-learn takes the SVD of the n × d centred matrix. Through G the components carry an
 * error of about eps · λ_max / (eigenvalue gap) instead of eps · σ_max / gap — far below 1e-10 for
 * features with distinct variances (see test/fixtures/reference/pca.json), and the n × d copy that an
 * SVD would need is avoided.
 *
 * Sign convention (deterministic output): scikit-learn 1.2's svd_flip(U, Vt) with u_based_decision=True —
 * each component is oriented so that, among the rows' scores on it, the one of largest magnitude is
 * positive (the first such row on exact ties, which can resolve differently from LAPACK's rounding on
 * perfectly symmetric data).
 *
 * References: Pearson 1901, "On lines and planes of closest fit"; Hotelling 1933; scikit-learn 1.2
 * `sklearn/decomposition/_pca.py`, `sklearn/utils/extmath.py` (svd_flip).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { EngineInputError } from './errors.ts';
import type { DenseMatrix } from './matrix.ts';
import { assertIntegerOption, assertValidMatrix } from './validate.ts';

/** A fitted PCA: everything projectRows needs, plus the variance figures. */
export interface PcaResult {
  /** Column means of the training data, d entries (`mean_`). */
  readonly mean: Float64Array;
  /** Principal axes, c × d row-major, orthonormal rows, by decreasing variance (`components_`). */
  readonly components: DenseMatrix;
  /** Variance of the training rows along each axis (ddof 1), c entries (`explained_variance_`). */
  readonly explainedVariance: Float64Array;
  /** explainedVariance / total variance, c entries in [0, 1] (`explained_variance_ratio_`). */
  readonly explainedVarianceRatio: Float64Array;
  /** √(eigenvalue of the scatter matrix) = singular values of the centred data, c entries. */
  readonly singularValues: Float64Array;
  /** Mean explained variance of the components not kept; 0 when c = min(n, d) (`noise_variance_`). */
  readonly noiseVariance: number;
  /** Rows the PCA was fitted on. */
  readonly rows: number;
  /** Degraded-result notes (e.g. constant data). */
  readonly warnings: string[];
}

/**
 * Fits a PCA to x.
 *
 * @param x - data, n × d row-major, finite, n ≥ 2. Not modified.
 * @param components - c, the number of axes kept, 1 ≤ c ≤ min(n, d). Default 2.
 * @returns mean (d), components (c × d), explained variance, ratio and singular values (c), noise variance.
 * @throws EngineInputError `too_few_rows` (n < 2), `no_columns`, `non_finite_value`, `shape_mismatch`,
 *   `invalid_option` (c not an integer in [1, min(n, d)]).
 */
export function fitPca(x: DenseMatrix, components = 2): PcaResult {
  assertValidMatrix(x, 'x');
  const n = x.rows;
  const d = x.cols;
  if (n < 2) throw new EngineInputError('too_few_rows', `PCA needs at least 2 rows, x has ${n}`);
  assertIntegerOption('components', components, 1);
  const rank = Math.min(n, d);
  if (components > rank) {
    throw new EngineInputError('invalid_option', `components = ${components} exceeds min(n, d) = min(${n}, ${d}) = ${rank}`);
  }
  const data = x.data;
  const mean = new Float64Array(d);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let j = 0; j < d; j++) mean[j]! += data[offset + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;

  // Scatter matrix of the centred rows, upper triangle, then mirrored.
  const scatter = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let j = 0; j < d; j++) centred[j] = data[offset + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const value = centred[a]!;
      for (let b = a; b < d; b++) scatter[a * d + b]! += value * centred[b]!;
    }
  }
  const gram = new Matrix(d, d);
  let trace = 0;
  for (let a = 0; a < d; a++) {
    trace += scatter[a * d + a]!;
    for (let b = a; b < d; b++) {
      gram.set(a, b, scatter[a * d + b]!);
      gram.set(b, a, scatter[a * d + b]!);
    }
  }
  const decomposition = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  // Rounding can leave eigenvalues of a positive semi-definite matrix slightly below 0.
  const eigenvalues = decomposition.realEigenvalues.map((value) => Math.max(value, 0));
  const order = eigenvalues.map((_, index) => index).sort((a, b) => eigenvalues[b]! - eigenvalues[a]! || a - b);
  const vectors = decomposition.eigenvectorMatrix;

  const axes = new Float64Array(components * d);
  const explainedVariance = new Float64Array(components);
  const singularValues = new Float64Array(components);
  for (let c = 0; c < components; c++) {
    const column = order[c]!;
    for (let j = 0; j < d; j++) axes[c * d + j] = vectors.get(j, column);
    explainedVariance[c] = eigenvalues[column]! / (n - 1);
    singularValues[c] = Math.sqrt(eigenvalues[column]!);
  }
  orientComponents(data, n, d, mean, axes, components);

  const totalVariance = trace / (n - 1);
  const warnings: string[] = [];
  const explainedVarianceRatio = new Float64Array(components);
  if (totalVariance > 0) {
    for (let c = 0; c < components; c++) explainedVarianceRatio[c] = explainedVariance[c]! / totalVariance;
  } else {
    warnings.push('every column is constant: the components are arbitrary and explain no variance');
  }
  let noiseVariance = 0;
  if (components < rank) {
    for (let c = components; c < rank; c++) noiseVariance += eigenvalues[order[c]!]! / (n - 1);
    noiseVariance /= rank - components;
  }
  return {
    mean,
    components: { data: axes, rows: components, cols: d },
    explainedVariance,
    explainedVarianceRatio,
    singularValues,
    noiseVariance,
    rows: n,
    warnings,
  };
}

/**
 * Projects rows onto the principal axes: (x − mean) · componentsᵀ (scikit-learn's transform, no whitening).
 *
 * @param pca - a fitted PCA (mean d, components c × d).
 * @param x - rows, n × d row-major, finite.
 * @returns n × c row-major scores.
 * @throws EngineInputError `shape_mismatch` (column count ≠ d), `non_finite_value`, `too_few_rows`, `no_columns`.
 */
export function projectRows(pca: Pick<PcaResult, 'mean' | 'components'>, x: DenseMatrix): DenseMatrix {
  assertValidMatrix(x, 'x');
  const { mean, components } = pca;
  const d = mean.length;
  const c = components.rows;
  if (x.cols !== d || components.cols !== d || components.data.length !== c * d) {
    throw new EngineInputError(
      'shape_mismatch',
      `x has ${x.cols} columns; the PCA has a mean of ${d} values and ${c} × ${components.cols} components`,
    );
  }
  const out = new Float64Array(x.rows * c);
  projectInto(x.data, x.rows, d, mean, components.data, c, out);
  return { data: out, rows: x.rows, cols: c };
}

/** OUT out (n × c) = (x − mean) · axesᵀ. */
function projectInto(
  data: Float64Array,
  n: number,
  d: number,
  mean: Float64Array,
  axes: Float64Array,
  c: number,
  out: Float64Array,
): void {
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let a = 0; a < c; a++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += (data[offset + j]! - mean[j]!) * axes[a * d + j]!;
      out[i * c + a] = sum;
    }
  }
}

/**
 * svd_flip(U, Vt) with u_based_decision=True: flips each axis (in place) so the row score of largest
 * magnitude on it is positive. U's column is the scores divided by the singular value, so the argmax and
 * the sign are the scores'.
 */
function orientComponents(data: Float64Array, n: number, d: number, mean: Float64Array, axes: Float64Array, c: number): void {
  const largest = new Float64Array(c);
  const magnitude = new Float64Array(c);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    for (let a = 0; a < c; a++) {
      let score = 0;
      for (let j = 0; j < d; j++) score += (data[offset + j]! - mean[j]!) * axes[a * d + j]!;
      // Strictly greater: the first row wins ties, as numpy's argmax.
      if (Math.abs(score) > magnitude[a]!) {
        magnitude[a] = Math.abs(score);
        largest[a] = score;
      }
    }
  }
  for (let a = 0; a < c; a++) {
    if (largest[a]! < 0) for (let j = 0; j < d; j++) axes[a * d + j] = -axes[a * d + j]!;
  }
}
