/**
 * Small dense linear algebra for Gaussian mixtures: Cholesky factors of d × d covariance and precision
 * matrices (d ≤ a few hundred), written on flat row-major Float64Arrays at an offset so the k matrices of
 * a mixture live in one k × d × d buffer and nothing is allocated per component or per iteration.
 *
 * Why not ml-matrix here: its CholeskyDecomposition copies into a Matrix of row arrays and returns new
 * matrices on every call; these helpers run k times per EM iteration and once per component on every
 * partial-row request, into buffers the caller already owns.
 *
 * Notation: a symmetric positive-definite A = L Lᵀ with L lower triangular (Cholesky–Banachiewicz,
 * O(d³/3)); the "precision Cholesky" of scikit-learn's GaussianMixture is the upper-triangular
 * U = (L⁻¹)ᵀ of the covariance's factor, so U Uᵀ = Σ⁻¹ and ‖(x − μ) U‖² is the Mahalanobis form.
 */

/**
 * OUT out[outOffset…] = lower Cholesky factor L of the m × m symmetric matrix a[offset…] (row stride
 * `stride`, only the lower triangle is read); the strict upper triangle of out is set to 0.
 * `out` may alias `a` when the offsets and strides agree. Returns false, leaving out partly written,
 * when a is not (numerically) positive definite: a pivot ≤ 0 or NaN.
 */
export function choleskyLower(
  a: Float64Array,
  offset: number,
  stride: number,
  m: number,
  out: Float64Array,
  outOffset: number,
  outStride: number,
): boolean {
  for (let i = 0; i < m; i++) {
    const rowA = offset + i * stride;
    const rowL = outOffset + i * outStride;
    for (let j = 0; j <= i; j++) {
      const rowLj = outOffset + j * outStride;
      let sum = a[rowA + j]!;
      for (let p = 0; p < j; p++) sum -= out[rowL + p]! * out[rowLj + p]!;
      if (i === j) {
        // `!(sum > 0)` also rejects NaN.
        if (!(sum > 0)) return false;
        out[rowL + i] = Math.sqrt(sum);
      } else {
        out[rowL + j] = sum / out[rowLj + j]!;
      }
    }
    for (let j = i + 1; j < m; j++) out[rowL + j] = 0;
  }
  return true;
}

/**
 * OUT precisionCholesky[offset…] (d × d, upper triangular U with U Uᵀ = Σ⁻¹) from the covariance
 * Σ = covariance[offset…] (d × d, symmetric): L = chol(Σ), U = (L⁻¹)ᵀ, as scikit-learn's
 * `_compute_precision_cholesky` (`solve_triangular(L, I, lower=True).T`).
 * `scratch` holds d × d values. Returns false when Σ is not positive definite.
 */
export function precisionCholeskyFromCovariance(
  covariance: Float64Array,
  offset: number,
  d: number,
  scratch: Float64Array,
  precisionCholesky: Float64Array,
): boolean {
  if (!choleskyLower(covariance, offset, d, d, scratch, 0, d)) return false;
  // Column j of X = L⁻¹ by forward substitution (X lower triangular), written transposed into U's row j.
  for (let j = 0; j < d; j++) {
    const rowU = offset + j * d;
    for (let i = 0; i < j; i++) precisionCholesky[rowU + i] = 0;
    precisionCholesky[rowU + j] = 1 / scratch[j * d + j]!;
    for (let i = j + 1; i < d; i++) {
      let sum = 0;
      for (let p = j; p < i; p++) sum += scratch[i * d + p]! * precisionCholesky[rowU + p]!;
      precisionCholesky[rowU + i] = -sum / scratch[i * d + i]!;
    }
  }
  return true;
}

/**
 * OUT precisionCholesky[offset…] (d × d, upper triangular U with U Uᵀ = Λ) from a precision matrix
 * Λ = precision[offset…] (d × d, symmetric), without inverting it: with J the order-reversing
 * permutation, JΛJ = M Mᵀ (lower M) gives U = J M J. scikit-learn stores the lower factor of Λ for a
 * given `precisions_init`; both give the same quadratic form ‖(x − μ) U‖² = (x − μ)ᵀ Λ (x − μ) and the
 * same log-determinant, and the upper form lets one kernel serve both.
 * `scratch` holds d × d values. Returns false when Λ is not positive definite.
 */
export function precisionCholeskyFromPrecision(
  precision: Float64Array,
  offset: number,
  d: number,
  scratch: Float64Array,
  precisionCholesky: Float64Array,
): boolean {
  const last = d - 1;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) scratch[i * d + j] = precision[offset + (last - i) * d + (last - j)]!;
  }
  if (!choleskyLower(scratch, 0, d, d, scratch, 0, d)) return false;
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) precisionCholesky[offset + r * d + c] = scratch[(last - r) * d + (last - c)]!;
  }
  return true;
}
