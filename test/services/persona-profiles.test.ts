import { describe, expect, it } from 'vitest';
import { customerTableFromRows } from '../../src/domain/customer-table.ts';
import type { ColumnProfile, CustomerAttributes, ValueKind } from '../../src/domain/dataset.ts';
import type { NumericTrait, CategoricalTrait } from '../../src/domain/persona.ts';
import { profileColumns } from '../../src/services/columns.ts';
import { columnRequests, fitFeatureSchema, resolveFeatureRequests } from '../../src/services/features.ts';
import { profilePersonas } from '../../src/services/persona-profiles.ts';

// Six customers in two personas: 0 = the first three, 1 = the last three.
const rows: CustomerAttributes[] = [
  { age: 20, plan: 'basic', spend: 100, tenure: 1 },
  { age: 22, plan: 'basic', spend: 200, tenure: 2 },
  { age: 30, plan: 'gold', spend: 300, tenure: 3 },
  { age: 60, plan: 'gold', spend: 1000, tenure: 10 },
  { age: 64, plan: 'gold', spend: 2000, tenure: 20 },
  { age: 70, plan: 'basic', spend: 400, tenure: null },
];
const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
const profiles: ColumnProfile[] = profileColumns(Object.keys(rows[0]!), rows);
const features = resolveFeatureRequests(profiles, ['age', 'plan'], []);
const table = customerTableFromRows(rows, [...columnRequests(profiles, features), { name: 'spend', kind: 'numeric' }, { name: 'tenure', kind: 'numeric' }]);
const schema = fitFeatureSchema(profiles, table, features, { scaling: 'standard', transform: 'none', clip: false, categoricalWeight: Math.SQRT1_2 });
const numericColumn = (name: string) => {
  const column = table.columns.get(name);
  if (column?.kind !== 'numeric') throw new Error(name);
  return column.values;
};
const withValue = (kind: ValueKind) =>
  profilePersonas(schema, table, labels, 2, {
    value: { column: 'spend', kind, values: numericColumn('spend') },
    tenure: { column: 'tenure', years: numericColumn('tenure') },
  });

describe('profilePersonas', () => {
  const [young, senior] = profilePersonas(schema, table, labels, 2);

  it('gives each numeric feature the persona and population means and medians, the z-score and the percentile of the median', () => {
    const age = young!.traits.find((trait) => trait.feature === 'age') as NumericTrait;
    const mean = (20 + 22 + 30 + 60 + 64 + 70) / 6;
    const std = Math.sqrt([20, 22, 30, 60, 64, 70].reduce((sum, x) => sum + (x - mean) ** 2, 0) / 6);
    expect(age.populationMean).toBeCloseTo(mean, 12);
    expect(age.populationMedian).toBe(45);
    expect(age.personaMean).toBeCloseTo(24, 12);
    expect(age.personaMedian).toBe(22);
    expect(age.zScore).toBeCloseTo((24 - mean) / std, 12);
    // 22 has one value below it and itself: (1 + 1/2) / 6.
    expect(age.percentile).toBeCloseTo(25, 12);
  });

  it('gives each category its share in the persona and overall, and the lift', () => {
    const plan = senior!.traits.find((trait) => trait.feature === 'plan') as CategoricalTrait;
    const gold = plan.categories.find((category) => category.value === 'gold')!;
    expect(gold.personaShare).toBeCloseTo(2 / 3, 12);
    expect(gold.populationShare).toBeCloseTo(1 / 2, 12);
    expect(gold.lift).toBeCloseTo(4 / 3, 12);
  });

  it('charts the z-scores of the numeric features as the snake series', () => {
    const age = young!.traits.find((trait) => trait.feature === 'age') as NumericTrait;
    expect(young!.profile.snake).toEqual([{ feature: 'age', value: age.zScore }]);
  });

  it("reports each persona's share of the value and its value index", () => {
    const [first, second] = withValue('annual');
    expect(first!.profile.value).toEqual({ column: 'spend', mean: 200, share: 600 / 4000, index: 600 / 4000 / 0.5 });
    expect(second!.profile.value?.share).toBeCloseTo(3400 / 4000, 12);
  });

  it('realises an annual value over the tenure in years, skipping customers without a tenure', () => {
    const [first, second] = withValue('annual');
    expect(first!.profile.clv).toEqual({ mean: (100 * 1 + 200 * 2 + 300 * 3) / 3, formula: 'spend × tenure in years', tenureColumn: 'tenure' });
    expect(second!.profile.clv?.mean).toBeCloseTo((1000 * 10 + 2000 * 20) / 2, 9);
  });

  it('realises a monthly value twelve times a year', () => {
    expect(withValue('monthly')[0]!.profile.clv).toEqual({ mean: (12 * (100 * 1 + 200 * 2 + 300 * 3)) / 3, formula: 'spend × 12 × tenure in years', tenureColumn: 'tenure' });
  });

  it('takes a lifetime value as realised, with or without tenure', () => {
    expect(withValue('lifetime')[1]!.profile.clv).toEqual({ mean: 3400 / 3, formula: 'spend (a lifetime value)', tenureColumn: null });
  });

  it('gives a balance no realised value', () => {
    expect(withValue('balance')[0]!.profile.clv).toBeNull();
    expect(withValue('balance')[0]!.profile.value?.mean).toBe(200);
  });
});
