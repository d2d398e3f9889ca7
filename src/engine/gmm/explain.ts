/**
 * Why a mixture prefers component a to component b for one (possibly partial) row: the difference of
 * their weighted log densities over the present dimensions S, split into one term per dimension plus
 * a base term that does not depend on the values.
 *
 *   log w_a N(x_S | μ_a, Σ_a) − log w_b N(x_S | μ_b, Σ_b)
 *     = [log w_a − log w_b − ½ log det Σ_a,SS + ½ log det Σ_b,SS]            (base)
 *     + Σ_{j∈S} −½ (r_a,j (Σ_a,SS⁻¹ r_a)_j − r_b,j (Σ_b,SS⁻¹ r_b)_j)          (dimension j)
 *
 * with r_c = x_S − μ_c,S. The quadratic form r' Σ⁻¹ r is split as Σ_j r_j (Σ⁻¹ r)_j, exact for any
 * covariance; for 'diag' each term is the dimension's own squared standardized distance. The −½ m log 2π
 * constants cancel. The terms sum to the difference exactly (up to rounding).
 */
import { EngineInputError } from '../errors.ts';
import { choleskyLower } from './linalg.ts';
import type { GaussianMixtureModel } from './model.ts';

export interface ComponentComparison {
  /** d entries: each present dimension's share of the difference (0 for absent dimensions). */
  contributions: Float64Array;
  /** The part of the difference that does not depend on the values: weights and spreads. */
  base: number;
  /** log w_a N_a(x_S) − log w_b N_b(x_S): base plus the contributions. */
  total: number;
}

/**
 * @param values - d values in model order (absent entries ignored).
 * @param present - the present dimensions, distinct, in [0, d).
 * @param a - the preferred component; @param b - the component it is compared with.
 * @throws EngineInputError `shape_mismatch`, `invalid_option` (component or dimension out of range),
 *   `singular_covariance` (a sub-matrix that is not positive definite).
 */
export function compareComponents(model: GaussianMixtureModel, values: Float64Array, present: ArrayLike<number>, a: number, b: number): ComponentComparison {
  const k = model.means.rows;
  const d = model.means.cols;
  if (values.length !== d) throw new EngineInputError('shape_mismatch', `values has ${values.length} entries, the model has d = ${d} features`);
  for (const component of [a, b]) {
    if (!Number.isInteger(component) || component < 0 || component >= k) throw new EngineInputError('invalid_option', `component ${component} is outside [0, ${k})`);
  }
  const dimensions = Int32Array.from(present);
  for (const j of dimensions) if (j < 0 || j >= d) throw new EngineInputError('invalid_option', `present dimension ${j} is outside [0, ${d})`);
  const contributions = new Float64Array(d);
  const first = halfQuadraticTerms(model, values, dimensions, a);
  const second = halfQuadraticTerms(model, values, dimensions, b);
  let total = 0;
  dimensions.forEach((j, at) => {
    contributions[j] = second.terms[at]! - first.terms[at]!;
    total += contributions[j]!;
  });
  const base = Math.log(model.weights[a]!) - Math.log(model.weights[b]!) - first.halfLogDet + second.halfLogDet;
  return { contributions, base, total: total + base };
}

/** Per present dimension ½ r_j (Σ_SS⁻¹ r)_j for component c, and ½ log det Σ_c,SS. */
function halfQuadraticTerms(model: GaussianMixtureModel, values: Float64Array, dimensions: Int32Array, c: number): { terms: Float64Array; halfLogDet: number } {
  const d = model.means.cols;
  const m = dimensions.length;
  const means = model.means.data;
  const residuals = Float64Array.from(dimensions, (j) => values[j]! - means[c * d + j]!);
  const terms = new Float64Array(m);
  let halfLogDet = 0;
  if (model.covarianceType === 'diag') {
    for (let at = 0; at < m; at++) {
      const variance = model.covariances[c * d + dimensions[at]!]!;
      terms[at] = (0.5 * residuals[at]! * residuals[at]!) / variance;
      halfLogDet += 0.5 * Math.log(variance);
    }
    return { terms, halfLogDet };
  }
  const factor = new Float64Array(m * m);
  const matrix = c * d * d;
  for (let p = 0; p < m; p++) for (let q = 0; q <= p; q++) factor[p * m + q] = model.covariances[matrix + dimensions[p]! * d + dimensions[q]!]!;
  if (!choleskyLower(factor, 0, m, m, factor, 0, m)) {
    throw new EngineInputError('singular_covariance', `the covariance of component ${c} restricted to the present dimensions is not positive definite`);
  }
  // Σ⁻¹ r by forward (L y = r) and back (Lᵀ q = y) substitution.
  const solved = Float64Array.from(residuals);
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < p; q++) solved[p]! -= factor[p * m + q]! * solved[q]!;
    solved[p]! /= factor[p * m + p]!;
    halfLogDet += Math.log(factor[p * m + p]!);
  }
  for (let p = m - 1; p >= 0; p--) {
    for (let q = p + 1; q < m; q++) solved[p]! -= factor[q * m + p]! * solved[q]!;
    solved[p]! /= factor[p * m + p]!;
  }
  for (let at = 0; at < m; at++) terms[at] = 0.5 * residuals[at]! * solved[at]!;
  return { terms, halfLogDet };
}
