import { describe, expect, it } from 'vitest';
import { customerTableFromRows } from '../../src/domain/customer-table.ts';
import type { ColumnProfile, CustomerAttributes } from '../../src/domain/dataset.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import type { NumericFeature } from '../../src/domain/model.ts';
import { profileColumns } from '../../src/services/columns.ts';
import { checkNumericColumns, columnRequests, encodeRows, fitFeatureSchema, resolveFeatureRequests, scaleNumeric } from '../../src/services/features.ts';
import type { PreprocessingDefaults } from '../../src/services/features.ts';

const defaults: PreprocessingDefaults = { scaling: 'standard', transform: 'auto', clip: true, categoricalWeight: Math.SQRT1_2 };

function tableOf(rows: CustomerAttributes[], requests?: Parameters<typeof resolveFeatureRequests>[1]) {
  const profiles: ColumnProfile[] = profileColumns(Object.keys(rows[0]!), rows);
  const features = resolveFeatureRequests(profiles, requests, []);
  return { profiles, features, table: customerTableFromRows(rows, columnRequests(profiles, features)) };
}

function fit(rows: CustomerAttributes[], options: Partial<PreprocessingDefaults> = {}) {
  const { profiles, features, table } = tableOf(rows);
  return fitFeatureSchema(profiles, table, features, { ...defaults, ...options });
}

const encode = (schema: ReturnType<typeof fit>, rows: CustomerAttributes[]) => encodeRows(schema, tableOf(rows).table);

function issuesOf(action: () => unknown) {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors ?? [];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('fitFeatureSchema', () => {
  it('standardizes a numeric column with the population mean and standard deviation', () => {
    const schema = fit([{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }], { transform: 'none', clip: false });
    const x = schema.features[0] as NumericFeature;
    expect(x).toMatchObject({ transform: 'none', scaling: 'standard', center: 2.5, median: 2.5, clip: null });
    expect(x.scale).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it('scales robustly with the median and the interquartile range when asked', () => {
    const schema = fit([{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }, { x: 100 }], { scaling: 'robust', transform: 'none', clip: false });
    expect(schema.features[0]).toMatchObject({ scaling: 'robust', center: 3, scale: 2 });
  });

  it('takes log1p of a skewed non-negative column automatically, and not of a symmetric one', () => {
    const skewed = Array.from({ length: 200 }, (_, i) => ({ spend: Math.round(Math.exp(i / 25)), age: 20 + (i % 50) }));
    const schema = fit(skewed);
    expect(schema.features.find((f) => f.name === 'spend')).toMatchObject({ transform: 'log1p' });
    expect(schema.features.find((f) => f.name === 'age')).toMatchObject({ transform: 'none' });
  });

  it('never takes log1p automatically when a value is negative', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ balance: i === 0 ? -50 : Math.round(Math.exp(i / 12)) }));
    expect(fit(rows).features[0]).toMatchObject({ transform: 'none' });
  });

  it('clips values beyond five standard deviations, so one extreme row does not squash the scale', () => {
    const rows = [...Array.from({ length: 999 }, (_, i) => ({ x: i % 10 })), { x: 1_000_000 }];
    const schema = fit(rows, { transform: 'none' });
    const x = schema.features[0] as NumericFeature;
    expect(x.clip).not.toBeNull();
    expect(scaleNumeric(x, 1_000_000)).toBeCloseTo(scaleNumeric(x, x.clip!.upper), 12);
    expect(x.scale).toBeLessThan(10_000);
  });

  it('imputes a missing numeric value with the median and counts the missing rate', () => {
    const schema = fit([{ x: 1 }, { x: null }, { x: 3 }, { x: 10 }], { transform: 'none', clip: false });
    const x = schema.features[0] as NumericFeature;
    expect(x).toMatchObject({ median: 3, missingRate: 0.25 });
    const encoded = encodeRows(schema, customerTableFromRows([{ x: null }], [{ name: 'x', kind: 'numeric' }]));
    expect(encoded.dense.data[0]).toBeCloseTo(scaleNumeric(x, 3), 12);
    expect(encoded.imputedFraction[0]).toBe(1);
  });

  it('one-hot encodes a categorical column, most frequent category first, and gives codes for k-prototypes', () => {
    const schema = fit([{ c: 'b' }, { c: 'a' }, { c: 'b' }, { c: null }]);
    expect(schema.features[0]).toMatchObject({ kind: 'categorical', categories: ['b', 'a'], mode: 'b', missingRate: 0.25 });
    const encoded = encodeRows(schema, customerTableFromRows([{ c: 'a' }, { c: null }], [{ name: 'c', kind: 'categorical' }]));
    expect(Array.from(encoded.dense.data)).toEqual([0, Math.SQRT1_2, Math.SQRT1_2, 0]);
    expect(Array.from(encoded.codes.data)).toEqual([1, 0]);
    expect(Array.from(encoded.codes.cardinalities)).toEqual([2]);
  });

  it('encodes training rows exactly as scaleNumeric does at assignment', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ spend: Math.round(Math.exp(i / 8)) }));
    const schema = fit(rows);
    const encoded = encode(schema, rows);
    rows.forEach((row, i) => expect(encoded.dense.data[i]).toBe(scaleNumeric(schema.features[0] as NumericFeature, row.spend)));
  });
});

describe('resolveFeatureRequests', () => {
  const rows = [
    { age: 30, plan: 'a', note: 'x', id_like: 'u1' },
    { age: 40, plan: 'b', note: 'x', id_like: 'u2' },
    { age: 'n/a', plan: 'a', note: 'x', id_like: 'u3' },
  ];
  const profiles = profileColumns(Object.keys(rows[0]!), rows);

  it('defaults to every usable column that is not excluded', () => {
    expect(resolveFeatureRequests(profiles, undefined, ['plan']).map((f) => f.name)).toEqual(['age', 'id_like']);
  });

  it('names the column and the record when a column declared numeric holds text', () => {
    const mixed = [{ v: 1 }, { v: 'abc' }];
    const { features, table } = tableOf(mixed, [{ name: 'v', kind: 'numeric' }]);
    expect(issuesOf(() => checkNumericColumns(table, features))).toEqual([
      { location: 'body', pointer: '/features/0', code: 'not_numeric', message: 'column "v" is declared numeric but record 1 holds "abc"' },
    ]);
  });

  it('rejects constant columns, unknown columns, repeats and excluded features with pointers', () => {
    const issues = issuesOf(() => resolveFeatureRequests(profiles, ['note', 'ghost', 'age', 'age', 'plan'], ['plan']));
    expect(issues.map((issue) => [issue.pointer, issue.code])).toEqual([
      ['/features/0', 'unusable_column'],
      ['/features/1', 'unknown_column'],
      ['/features/3', 'duplicate_feature'],
      ['/features/4', 'excluded_column'],
    ]);
  });

  it('rejects an excluded column the dataset does not have', () => {
    expect(issuesOf(() => resolveFeatureRequests(profiles, undefined, ['churn']))[0]).toMatchObject({ pointer: '/exclude/0', code: 'unknown_column' });
  });
});
