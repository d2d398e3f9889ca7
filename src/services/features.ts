/**
 * Preprocessing fitted at training and applied identically at assignment.
 *
 * Numeric features: missing → training median; optional log1p (declared, or automatic for
 * non-negative columns with skewness above 1); clipping to training bounds (mean ± 5 sd of the
 * transformed values), then standard (mean / sd) or robust (median / IQR, as scikit-learn's
 * RobustScaler) scaling. Categorical features: missing → mode; a weighted one-hot block for k-means
 * and mixtures, integer codes for k-prototypes. The fitted parameters are the model's FeatureSchema.
 */
import type { CategoricalTableColumn, ColumnRequest, CustomerTable, NumericTableColumn } from '../domain/customer-table.ts';
import type { ColumnProfile } from '../domain/dataset.ts';
import { jsonPointer, UnprocessableDataError, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import type { CategoricalFeature, FeatureRequest, FeatureSchema, FeatureSpec, NumericFeature, NumericScaling } from '../domain/model.ts';
import type { DenseMatrix } from '../engine/index.ts';
import { MAX_CATEGORIES } from './columns.ts';

export { categoryLabel } from '../domain/customer-table.ts';

/**
 * Default one-hot cell value: 1/√2 makes a category mismatch cost exactly 1 in squared distance,
 * half the expected squared difference (2) between two customers on one standardized numeric
 * feature, so a single categorical cannot outweigh the numerics.
 */
export const DEFAULT_CATEGORICAL_WEIGHT = Math.SQRT1_2;
/** Above this sample skewness a non-negative column is log1p-transformed when its transform is `auto`. */
export const AUTO_LOG_SKEWNESS = 1;
/** Clipping bounds, in standard deviations of the transformed training values. */
export const CLIP_STANDARD_DEVIATIONS = 5;

export interface PreprocessingDefaults {
  scaling: NumericScaling;
  transform: 'none' | 'log1p' | 'auto';
  clip: boolean;
  categoricalWeight: number;
}

/**
 * The features a request asks for (names or per-feature objects), or by default every usable column
 * not excluded. Issues carry pointers into /features and are all reported at once: with an unknown,
 * repeated or also-excluded column the request itself is wrong (ValidationError, 400); when it only
 * names columns the data-quality report excluded, it is well-formed but the data cannot serve
 * (UnprocessableDataError, 422), each issue giving the verdict's reason. A declared kind overrides
 * type inference (a mixed or text column read as categories or numbers), not an exclusion for the
 * data itself: constant, empty, id-like or mostly missing columns stay refused (checkNumericColumns
 * checks the values of declared numeric columns once they are loaded).
 */
export function resolveFeatureRequests(
  profiles: readonly ColumnProfile[],
  requested: ReadonlyArray<string | FeatureRequest> | undefined,
  exclude: readonly string[],
): FeatureRequest[] {
  const byName = new Map(profiles.map((profile) => [profile.name, profile]));
  const issues: FieldIssue[] = [];
  exclude.forEach((name, index) => {
    if (!byName.has(name)) issues.push({ location: 'body', pointer: jsonPointer('exclude', index), code: 'unknown_column', message: `the dataset has no column "${name}"` });
  });
  if (requested === undefined) {
    if (issues.length > 0) throw new ValidationError('some excluded columns do not exist', issues);
    return profiles.filter((profile) => profile.isUsable && !exclude.includes(profile.name)).map((profile) => ({ name: profile.name }));
  }
  const features = requested.map((entry) => (typeof entry === 'string' ? { name: entry } : entry));
  const seen = new Set<string>();
  features.forEach((feature, index) => {
    const pointer = jsonPointer('features', index);
    const profile = byName.get(feature.name);
    if (seen.has(feature.name)) issues.push({ location: 'body', pointer, code: 'duplicate_feature', message: `"${feature.name}" is listed twice` });
    seen.add(feature.name);
    if (!profile) {
      issues.push({ location: 'body', pointer, code: 'unknown_column', message: `the dataset has no column "${feature.name}"` });
    } else if (exclude.includes(feature.name)) {
      issues.push({ location: 'body', pointer, code: 'excluded_column', message: `"${feature.name}" is also listed in exclude` });
    } else if (feature.kind === 'numeric') {
      if (isExcludedForItsData(profile)) issues.push(unusable(pointer, profile));
    } else if (feature.kind === 'categorical') {
      if (isExcludedForItsData(profile)) issues.push(unusable(pointer, profile));
      else if (profile.distinct > MAX_CATEGORIES) {
        issues.push({ location: 'body', pointer, code: 'too_many_categories', message: `column "${feature.name}" has ${profile.distinct} distinct values; a categorical feature may have at most ${MAX_CATEGORIES}` });
      }
    } else if (!profile.isUsable) {
      issues.push(unusable(pointer, profile));
    }
  });
  if (issues.length === 0) return features;
  if (issues.every((issue) => DATA_ISSUES.has(issue.code))) {
    throw new UnprocessableDataError(`the dataset's data-quality report excludes ${issues.length === 1 ? 'a requested feature' : 'some requested features'}`, issues);
  }
  throw new ValidationError('some requested features cannot be used', issues);
}

/** Issues about the columns' data rather than the request's shape. */
const DATA_ISSUES = new Set(['unusable_column', 'too_many_categories']);

/**
 * Excluded whatever kind the request declares: constant, empty and identifier columns, numeric or
 * categorical columns the report excluded, and text columns excluded for their values too (mostly
 * missing). Other text columns (mixed types, many values) are excluded for their inferred type only,
 * which a declared kind replaces.
 */
function isExcludedForItsData(profile: ColumnProfile): boolean {
  return !profile.isUsable && (profile.kind !== 'text' || profile.isExcludedForItsData === true);
}

function unusable(pointer: string, profile: ColumnProfile): FieldIssue {
  return { location: 'body', pointer, code: 'unusable_column', message: `column "${profile.name}" cannot be a feature: ${profile.reason ?? profile.kind}` };
}

/** How each feature is read from the customers: numeric, or as categories (declared, or as inferred). */
export function columnRequests(profiles: readonly ColumnProfile[], requests: readonly FeatureRequest[]): ColumnRequest[] {
  const byName = new Map(profiles.map((profile) => [profile.name, profile]));
  return requests.map((request) => ({ name: request.name, kind: request.kind ?? (byName.get(request.name)!.kind === 'numeric' ? 'numeric' : 'categorical') }));
}

/** A column declared numeric must hold numbers only; names the first record that does not. */
export function checkNumericColumns(table: CustomerTable, requests: readonly FeatureRequest[]): void {
  const issues: FieldIssue[] = [];
  requests.forEach((request, index) => {
    const column = table.columns.get(request.name);
    if (column?.kind === 'numeric' && column.firstText) {
      issues.push({
        location: 'body',
        pointer: jsonPointer('features', index),
        code: 'not_numeric',
        message: `column "${request.name}" is declared numeric but record ${column.firstText.row} holds "${column.firstText.value}"`,
      });
    }
  });
  if (issues.length > 0) throw new ValidationError('some numeric features hold text', issues);
}

/** Fits the preprocessing of each requested feature on the training customers. */
export function fitFeatureSchema(
  profiles: readonly ColumnProfile[],
  table: CustomerTable,
  requests: readonly FeatureRequest[],
  defaults: PreprocessingDefaults,
): FeatureSchema {
  let column = 0;
  const features: FeatureSpec[] = requests.map((request) => {
    const data = table.columns.get(request.name)!;
    const spec =
      data.kind === 'numeric'
        ? fitNumeric(request, column, data, defaults)
        : fitCategorical(request.name, column, data, defaults.categoricalWeight);
    column += spec.kind === 'numeric' ? 1 : spec.categories.length;
    return spec;
  });
  const featureSet = new Set(requests.map((request) => request.name));
  return {
    features,
    encodedColumns: column,
    ignoredColumns: profiles.map((profile) => profile.name).filter((name) => !featureSet.has(name)),
  };
}

function quantileOfSorted(sorted: Float64Array, q: number): number {
  // Linear interpolation between closest ranks, as numpy's default.
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

function meanAndStd(values: Float64Array): { mean: number; std: number } {
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / values.length;
  let squares = 0;
  for (const value of values) squares += (value - mean) * (value - mean);
  return { mean, std: Math.sqrt(squares / values.length) };
}

function skewness(values: Float64Array, mean: number, std: number): number {
  if (std === 0) return 0;
  let cubes = 0;
  for (const value of values) cubes += ((value - mean) / std) ** 3;
  return cubes / values.length;
}

function fitNumeric(request: FeatureRequest, column: number, data: NumericTableColumn, defaults: PreprocessingDefaults): NumericFeature {
  const n = data.values.length;
  const raw = data.values.filter((value) => !Number.isNaN(value)).sort();
  const { mean, std } = meanAndStd(raw);
  const median = quantileOfSorted(raw, 0.5);
  const requestedTransform = request.transform ?? defaults.transform;
  const isNonNegative = raw[0]! >= 0;
  const transform =
    requestedTransform === 'log1p' || (requestedTransform === 'auto' && isNonNegative && skewness(raw, mean, std) > AUTO_LOG_SKEWNESS) ? 'log1p' : 'none';
  if (transform === 'log1p' && raw[0]! <= -1) {
    throw new ValidationError(`log1p needs values above −1`, [
      { location: 'body', pointer: '/features', code: 'log_of_negative', message: `column "${request.name}" has values ≤ −1, so log1p cannot apply` },
    ]);
  }
  // Imputed rows take the median, so the statistics below are those of the imputed column.
  const transformed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = Number.isNaN(data.values[i]!) ? median : data.values[i]!;
    transformed[i] = transform === 'log1p' ? Math.log1p(value) : value;
  }
  let clip: NumericFeature['clip'] = null;
  if (request.clip ?? defaults.clip) {
    const spread = meanAndStd(transformed);
    if (spread.std > 0) {
      clip = { lower: spread.mean - CLIP_STANDARD_DEVIATIONS * spread.std, upper: spread.mean + CLIP_STANDARD_DEVIATIONS * spread.std };
      for (let i = 0; i < transformed.length; i++) transformed[i] = Math.min(clip.upper, Math.max(clip.lower, transformed[i]!));
    }
  }
  const scaling = request.scaling ?? defaults.scaling;
  let center: number;
  let scale: number;
  const spread = meanAndStd(transformed);
  if (scaling === 'robust') {
    const sorted = Float64Array.from(transformed).sort();
    center = quantileOfSorted(sorted, 0.5);
    // scikit-learn's RobustScaler divides by the IQR; a zero IQR (mostly one value) falls back to the sd.
    scale = quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25) || spread.std;
  } else {
    center = spread.mean;
    scale = spread.std;
  }
  return {
    name: request.name,
    kind: 'numeric',
    column,
    transform,
    scaling,
    clip,
    center,
    // A constant column never reaches here (profiling marks it unusable); this only guards underflow.
    scale: scale || 1,
    median,
    mean,
    std,
    missingRate: 1 - raw.length / n,
  };
}

function fitCategorical(name: string, column: number, data: CategoricalTableColumn, weight: number): CategoricalFeature {
  const counts = new Float64Array(data.labels.length);
  let present = 0;
  for (const code of data.codes) {
    if (code < 0) continue;
    present++;
    counts[code]!++;
  }
  // Most frequent first (ties alphabetical), so the mode is categories[0] and the order is stable.
  const categories = data.labels
    .map((label, code) => ({ label, count: counts[code]! }))
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1))
    .map(({ label }) => label);
  return { name, kind: 'categorical', column, categories, mode: categories[0]!, weight, missingRate: 1 - present / data.codes.length };
}

/** A numeric value (original units) in the model's scaled space: transform, clip, scale. */
export function scaleNumeric(feature: NumericFeature, value: number): number {
  let x = feature.transform === 'log1p' ? Math.log1p(value) : value;
  if (feature.clip) x = Math.min(feature.clip.upper, Math.max(feature.clip.lower, x));
  return (x - feature.center) / feature.scale;
}

/** The original-unit value of a scaled one (a centre, for explanations); clipping is not undone. */
export function unscaleNumeric(feature: NumericFeature, scaled: number): number {
  const x = scaled * feature.scale + feature.center;
  return feature.transform === 'log1p' ? Math.expm1(x) : x;
}

export interface EncodedRows {
  /** n × encodedColumns: scaled numerics and weighted one-hot blocks. */
  dense: DenseMatrix;
  /** Categorical features of the schema (whether or not `codes` was built). */
  categoricalFeatures: number;
  /** n × (numeric features): the scaled numerics alone, for k-prototypes (0 rows unless asked for). */
  numeric: DenseMatrix;
  /** n × (categorical features) category codes (index into the feature's categories), for k-prototypes (0 rows unless asked for). */
  codes: { data: Int32Array; rows: number; cols: number; cardinalities: Int32Array };
  /** Per row, the share of features that were missing and imputed. */
  imputedFraction: Float64Array;
}

/** Allocates the dense matrix (the service passes shared memory, so parallel k-means needs no copy). */
export type MatrixAllocator = (length: number) => Float64Array;

/**
 * Encodes the training customers (missing values imputed): always densely, and with `isMixed` also as
 * numerics plus category codes (k-prototypes), which the other algorithms need not pay memory for.
 */
export function encodeRows(
  schema: FeatureSchema,
  table: CustomerTable,
  options: { allocate?: MatrixAllocator | undefined; isMixed?: boolean } = {},
): EncodedRows {
  const n = table.size;
  const d = schema.encodedColumns;
  const numericFeatures = schema.features.filter((f): f is NumericFeature => f.kind === 'numeric');
  const categoricalFeatures = schema.features.filter((f): f is CategoricalFeature => f.kind === 'categorical');
  const isMixed = options.isMixed ?? true;
  const p = numericFeatures.length;
  const q = categoricalFeatures.length;
  const mixedRows = isMixed ? n : 0;
  const dense = (options.allocate ?? ((length: number) => new Float64Array(length)))(n * d);
  const numeric = new Float64Array(mixedRows * p);
  const codes = new Int32Array(mixedRows * q);
  const missing = new Float64Array(n);
  numericFeatures.forEach((feature, j) => {
    const { values } = table.columns.get(feature.name) as NumericTableColumn;
    const imputed = scaleNumeric(feature, feature.median);
    for (let i = 0; i < n; i++) {
      const value = values[i]!;
      let scaled = imputed;
      if (Number.isNaN(value)) missing[i]!++;
      else scaled = scaleNumeric(feature, value);
      dense[i * d + feature.column] = scaled;
      if (isMixed) numeric[i * p + j] = scaled;
    }
  });
  categoricalFeatures.forEach((feature, j) => {
    const column = table.columns.get(feature.name) as CategoricalTableColumn;
    // Table codes (order of appearance) → the feature's category positions (most frequent first).
    const position = new Map(feature.categories.map((label, index) => [label, index]));
    const toPosition = Int32Array.from(column.labels, (label) => position.get(label) ?? 0);
    for (let i = 0; i < n; i++) {
      const code = column.codes[i]!;
      let category = 0;
      if (code < 0) missing[i]!++;
      else category = toPosition[code]!;
      dense[i * d + feature.column + category] = feature.weight;
      if (isMixed) codes[i * q + j] = category;
    }
  });
  const features = schema.features.length;
  for (let i = 0; i < n; i++) missing[i]! /= features;
  return {
    dense: { data: dense, rows: n, cols: d },
    categoricalFeatures: q,
    numeric: { data: numeric, rows: mixedRows, cols: p },
    codes: { data: codes, rows: mixedRows, cols: q, cardinalities: Int32Array.from(categoricalFeatures.map((f) => f.categories.length)) },
    imputedFraction: missing,
  };
}
