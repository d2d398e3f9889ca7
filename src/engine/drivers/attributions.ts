/**
 * Persona drivers as SHAP attributions of the surrogate classifier (./surrogate.ts).
 *
 * For a model that is linear in its inputs, with the inputs treated as independent, the exact SHAP value
 * (Shapley value of the interventional expectation) of column j for persona c's logit at row x is
 *   φ_cj(x) = w_cj (x_j − E[x_j]),
 * where E[x_j] is the column mean over the background rows (Lundberg & Lee 2017, "linear SHAP", corollary
 * 1). The values add up exactly to logit_c(x) − logit_c(E[x]) (efficiency). A persona's driver of a column
 * is the mean of φ_cj over the persona's members, which by linearity is w_cj (x̄_cj − E[x_j]), with x̄_c the
 * members' column means: how far the members' typical value moves their own persona's logit away from the
 * average customer's. Columns are then summed into the caller's features (a one-hot block into its
 * categorical feature; a Shapley value of a group of players is the sum of theirs), and features are
 * ranked by |attribution|.
 *
 * Units: logit (log-odds) units of the surrogate, on the standardised columns the caller passed. The
 * background is every row of x. Because the softmax logits share one free constant per row, only
 * differences matter; the surrogate's centred coefficients make the attributions of different personas
 * comparable.
 *
 * Notation: n rows, d columns, k personas, f features. Complexity O(n d + k d + k f log f), memory O(k d).
 * References: Lundberg & Lee, "A unified approach to interpreting model predictions", NeurIPS 2017;
 * Shapley, "A value for n-person games", 1953.
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { assertLabels, assertValidMatrix } from '../validate.ts';
import type { SurrogateModel } from './surrogate.ts';
import { assertModelShape } from './surrogate.ts';

/** One feature's contribution to a persona's logit. */
export interface FeatureAttribution {
  /** Feature index in [0, featureCount). */
  readonly feature: number;
  /** Mean SHAP value over the persona's members, summed over the feature's columns (logit units). */
  readonly attribution: number;
}

/** Drivers of one persona. */
export interface PersonaDrivers {
  readonly persona: number;
  /** Members (rows labelled with the persona). */
  readonly size: number;
  /** featureCount entries, largest |attribution| first (ties: lower feature index first). */
  readonly attributions: FeatureAttribution[];
  /** Σ attributions = logit_c(x̄_c) − logit_c(E[x]): how far the members' mean row lifts their own logit. */
  readonly totalAttribution: number;
}

/** Outcome of explainPersonas. */
export interface PersonaExplanations {
  /** k records in persona order. */
  readonly personas: PersonaDrivers[];
  /** k × d mean SHAP value of each column for each persona's logit over its members, row-major. */
  readonly columnAttributions: DenseMatrix;
  /** d column means E[x_j] over all rows: the SHAP background. */
  readonly background: Float64Array;
  /** Degraded-result notes (empty personas, personas the surrogate could not fit). */
  readonly warnings: string[];
}

/**
 * Mean SHAP attributions of every persona's logit over its members, per column and per feature.
 *
 * @param model - surrogate fitted on standardised columns (k × d coefficients, k intercepts).
 * @param x - n × d rows in the same standardised columns, finite; they are the members and the background.
 * @param labels - n persona labels in [0, k).
 * @param k - number of personas, equal to the model's.
 * @param featureOfColumn - d feature indices in [0, featureCount): the original feature each column
 *   encodes (every column of a one-hot block maps to its categorical feature).
 * @param featureCount - number of original features f, ≥ 1.
 * @returns per persona the features sorted by |attribution|, plus the k × d column means and the background.
 * @throws EngineInputError `shape_mismatch` (model, labels or featureOfColumn sizes), `too_few_rows`,
 *   `no_columns`, `non_finite_value`, `invalid_k`, `invalid_label`, `invalid_option` (a feature index
 *   outside [0, featureCount) or featureCount < 1).
 */
export function explainPersonas(
  model: SurrogateModel,
  x: DenseMatrix,
  labels: Int32Array,
  k: number,
  featureOfColumn: Int32Array,
  featureCount: number,
): PersonaExplanations {
  assertValidMatrix(x, 'x');
  assertModelShape(model, x.cols);
  if (!Number.isInteger(k) || k < 1) throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 1`);
  if (model.coefficients.rows !== k) {
    throw new EngineInputError('shape_mismatch', `model has ${model.coefficients.rows} personas, k = ${k}`);
  }
  assertLabels(labels, x.rows, k);
  const n = x.rows;
  const d = x.cols;
  if (!Number.isInteger(featureCount) || featureCount < 1) {
    throw new EngineInputError('invalid_option', `featureCount = ${featureCount} must be an integer ≥ 1`);
  }
  if (featureOfColumn.length !== d) {
    throw new EngineInputError('shape_mismatch', `featureOfColumn has ${featureOfColumn.length} entries, expected one per column (${d})`);
  }
  for (let j = 0; j < d; j++) {
    const feature = featureOfColumn[j]!;
    if (feature < 0 || feature >= featureCount) {
      throw new EngineInputError('invalid_option', `featureOfColumn[${j}] = ${feature} is outside [0, ${featureCount})`);
    }
  }

  const background = new Float64Array(d);
  const memberSums = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  const data = x.data;
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    sizes[c]!++;
    const offset = i * d;
    const base = c * d;
    for (let j = 0; j < d; j++) {
      const value = data[offset + j]!;
      background[j]! += value;
      memberSums[base + j]! += value;
    }
  }
  for (let j = 0; j < d; j++) background[j]! /= n;

  const warnings: string[] = [];
  const weights = model.coefficients.data;
  const columnAttributions = new Float64Array(k * d);
  const featureSums = new Float64Array(featureCount);
  const personas: PersonaDrivers[] = [];
  for (let c = 0; c < k; c++) {
    const size = sizes[c]!;
    const base = c * d;
    if (size === 0) warnings.push(`persona ${c} has no members: its attributions are 0`);
    else if (model.intercepts[c] === Number.NEGATIVE_INFINITY) {
      warnings.push(`persona ${c} was not fitted by the surrogate (no training rows): its attributions are 0`);
    }
    featureSums.fill(0);
    let total = 0;
    if (size > 0) {
      for (let j = 0; j < d; j++) {
        // Mean of w_cj (x_ij − E[x_j]) over the members, taken as w_cj (x̄_cj − E[x_j]) by linearity.
        const value = weights[base + j]! * (memberSums[base + j]! / size - background[j]!);
        columnAttributions[base + j] = value;
        featureSums[featureOfColumn[j]!]! += value;
        total += value;
      }
    }
    const attributions: FeatureAttribution[] = [];
    for (let f = 0; f < featureCount; f++) attributions.push({ feature: f, attribution: featureSums[f]! });
    attributions.sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution) || a.feature - b.feature);
    personas.push({ persona: c, size, attributions, totalAttribution: total });
  }

  return { personas, columnAttributions: { data: columnAttributions, rows: k, cols: d }, background, warnings };
}

/**
 * Exact SHAP values of one row for one persona's logit: φ_j = w_cj (row_j − background_j).
 * They sum to logit_c(row) − logit_c(background) up to rounding.
 *
 * @param model - surrogate (k × d coefficients).
 * @param background - d column means, e.g. PersonaExplanations.background.
 * @param row - d standardised values, finite.
 * @param persona - persona index in [0, k).
 * @param out - optional d-value buffer to write into (OUT); a new one is allocated when absent.
 * @returns the d SHAP values (`out` when given).
 * @throws EngineInputError `shape_mismatch` (lengths), `invalid_label` (persona), `non_finite_value`.
 */
export function attributeRow(
  model: SurrogateModel,
  background: Float64Array,
  row: Float64Array,
  persona: number,
  out?: Float64Array,
): Float64Array {
  const d = row.length;
  assertModelShape(model, d);
  if (background.length !== d) {
    throw new EngineInputError('shape_mismatch', `background has ${background.length} values, the row has ${d}`);
  }
  const k = model.coefficients.rows;
  if (!Number.isInteger(persona) || persona < 0 || persona >= k) {
    throw new EngineInputError('invalid_label', `persona ${persona} is outside [0, ${k})`);
  }
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(row[j]!)) throw new EngineInputError('non_finite_value', `row has a non-finite value (${row[j]}) at column ${j}`);
    if (!Number.isFinite(background[j]!)) {
      throw new EngineInputError('non_finite_value', `background has a non-finite value (${background[j]}) at column ${j}`);
    }
  }
  const result = out ?? new Float64Array(d);
  if (result.length !== d) throw new EngineInputError('shape_mismatch', `out has ${result.length} values, expected ${d}`);
  const weights = model.coefficients.data;
  const base = persona * d;
  for (let j = 0; j < d; j++) result[j] = weights[base + j]! * (row[j]! - background[j]!);
  return result;
}
