/**
 * Preprocessing fitted at training and applied identically at assignment:
 * numeric features become z-scores (missing values imputed with the training median), categorical
 * features a weighted one-hot block over the categories seen at training (missing values imputed
 * with the mode). The fitted parameters are stored with the model as its FeatureSchema.
 */
import type { AttributeValue, ColumnProfile, CustomerAttributes } from '../domain/dataset.ts';
import { jsonPointer, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import type { CategoricalFeature, FeatureSchema, FeatureSpec, NumericFeature } from '../domain/model.ts';
import type { DenseMatrix } from '../engine/index.ts';
import { isMissingValue } from './tabular.ts';

/**
 * Default one-hot cell value: 1/√2 makes a category mismatch cost exactly 1 in squared distance,
 * half the expected squared difference (2) between two customers on one standardized numeric
 * feature, so a single categorical cannot outweigh the numerics.
 */
export const DEFAULT_CATEGORICAL_WEIGHT = Math.SQRT1_2;

export function categoryLabel(value: AttributeValue): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

/**
 * Fits the schema for `featureNames` (each must be a usable column of `profiles`).
 * Throws ValidationError with a pointer into /features for unknown or unusable columns.
 */
export function fitFeatureSchema(
  profiles: readonly ColumnProfile[],
  rows: readonly CustomerAttributes[],
  featureNames: readonly string[],
  categoricalWeight: number,
): FeatureSchema {
  const byName = new Map(profiles.map((profile) => [profile.name, profile]));
  const issues: FieldIssue[] = [];
  featureNames.forEach((name, index) => {
    const profile = byName.get(name);
    if (!profile) {
      issues.push({ location: 'body', pointer: jsonPointer('features', index), code: 'unknown_column', message: `the dataset has no column "${name}"` });
    } else if (!profile.isUsable) {
      issues.push({ location: 'body', pointer: jsonPointer('features', index), code: 'unusable_column', message: `column "${name}" cannot be a feature: ${profile.reason ?? profile.kind}` });
    }
  });
  if (new Set(featureNames).size !== featureNames.length) {
    issues.push({ location: 'body', pointer: '/features', code: 'duplicate_feature', message: 'features must not repeat a column' });
  }
  if (issues.length > 0) throw new ValidationError('some requested features cannot be used', issues);

  let column = 0;
  const features: FeatureSpec[] = featureNames.map((name) => {
    const spec =
      byName.get(name)!.kind === 'numeric'
        ? fitNumeric(name, column, rows)
        : fitCategorical(name, column, rows, categoricalWeight);
    column += spec.kind === 'numeric' ? 1 : spec.categories.length;
    return spec;
  });
  const featureSet = new Set(featureNames);
  return {
    features,
    encodedColumns: column,
    ignoredColumns: profiles.map((profile) => profile.name).filter((name) => !featureSet.has(name)),
  };
}

function fitNumeric(name: string, column: number, rows: readonly CustomerAttributes[]): NumericFeature {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[name];
    if (typeof value === 'number') values.push(value);
  }
  const present = Float64Array.from(values);
  let sum = 0;
  for (const value of present) sum += value;
  const mean = sum / present.length;
  let squares = 0;
  for (const value of present) squares += (value - mean) * (value - mean);
  // Population standard deviation, as scikit-learn's StandardScaler; a constant column cannot reach
  // here (profiling marks it unusable), the guard only protects against float underflow.
  const std = Math.sqrt(squares / present.length) || 1;
  present.sort();
  const middle = present.length >> 1;
  const median = present.length % 2 === 1 ? present[middle]! : (present[middle - 1]! + present[middle]!) / 2;
  return { name, kind: 'numeric', column, mean, std, median, missingRate: 1 - present.length / rows.length };
}

function fitCategorical(name: string, column: number, rows: readonly CustomerAttributes[], weight: number): CategoricalFeature {
  const counts = new Map<string, number>();
  let present = 0;
  for (const row of rows) {
    const value = row[name];
    if (isMissingValue(value)) continue;
    present++;
    const label = categoryLabel(value!);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  // Most frequent first (ties alphabetical), so the mode is categories[0] and the order is stable.
  const categories = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([label]) => label);
  return { name, kind: 'categorical', column, categories, mode: categories[0]!, weight, missingRate: 1 - present / rows.length };
}

/** Encodes training rows (missing values imputed) into an n × d matrix in the schema's column order. */
export function encodeRows(schema: FeatureSchema, rows: readonly CustomerAttributes[]): DenseMatrix {
  const d = schema.encodedColumns;
  const data = new Float64Array(rows.length * d);
  for (const feature of schema.features) {
    if (feature.kind === 'numeric') {
      const imputed = (feature.median - feature.mean) / feature.std;
      for (let i = 0; i < rows.length; i++) {
        const value = rows[i]![feature.name];
        data[i * d + feature.column] = typeof value === 'number' ? (value - feature.mean) / feature.std : imputed;
      }
    } else {
      const index = new Map(feature.categories.map((label, position) => [label, position]));
      for (let i = 0; i < rows.length; i++) {
        const value = rows[i]![feature.name];
        const position = isMissingValue(value) ? 0 : (index.get(categoryLabel(value!)) ?? 0);
        data[i * d + feature.column + position] = feature.weight;
      }
    }
  }
  return { data, rows: rows.length, cols: d };
}
