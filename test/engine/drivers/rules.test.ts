import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CategoricalMatrix, DenseMatrix, PersonaRule, RuleCondition } from '../../../src/engine/index.ts';
import { createRandom, findPersonaRules, fromRows } from '../../../src/engine/index.ts';
import { expectEngineError } from '../support/assertions.ts';

// Customers: column 0 income uniform in [20,000, 120,000), column 1 web visits a month (integer 0–29),
// column 2 age uniform in [18, 80), column 3 noise; categorical column 0 a channel code in 0–3.
const N = 20_000;
const INCOME = 0;
const VISITS = 1;
const AGE = 2;

interface Customers {
  readonly numeric: DenseMatrix;
  readonly categorical: CategoricalMatrix;
}

function makeCustomers(seed: number): Customers {
  const random = createRandom(seed);
  const data = new Float64Array(N * 4);
  const codes = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    data[i * 4 + INCOME] = 20_000 + 100_000 * random.nextFloat();
    data[i * 4 + VISITS] = random.nextInt(30);
    data[i * 4 + AGE] = 18 + 62 * random.nextFloat();
    data[i * 4 + 3] = random.nextGaussian();
    codes[i] = random.nextInt(4);
  }
  return { numeric: { data, rows: N, cols: 4 }, categorical: { codes, rows: N, cols: 1, cardinalities: Int32Array.from([4]) } };
}

/** Labels 1 where the rule holds, 0 elsewhere, then a share `noise` of the rows flipped at random. */
function labelBy(customers: Customers, rule: (row: Float64Array, code: number) => boolean, noise: number, seed: number): Int32Array {
  const random = createRandom(seed);
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    labels[i] = rule(customers.numeric.data.subarray(i * 4, i * 4 + 4), customers.categorical.codes[i]!) ? 1 : 0;
    if (random.nextFloat() < noise) labels[i] = 1 - labels[i]!;
  }
  return labels;
}

/** Precision and coverage of a set of conditions counted directly (NaN matches no numeric condition). */
function countConditions(conditions: readonly RuleCondition[], numeric: DenseMatrix, labels: Int32Array, persona: number, categorical?: CategoricalMatrix): { precision: number; coverage: number; matched: number } {
  let matched = 0;
  let hits = 0;
  let size = 0;
  for (let i = 0; i < numeric.rows; i++) {
    const isMember = labels[i] === persona;
    if (isMember) size++;
    const isMatch = conditions.every((condition) => {
      if (condition.kind === 'categorical') return categorical!.codes[i * categorical!.cols + condition.column] === condition.code;
      const value = numeric.data[i * numeric.cols + condition.column]!;
      return condition.direction === 'above' ? value > condition.threshold : value <= condition.threshold;
    });
    if (!isMatch) continue;
    matched++;
    if (isMember) hits++;
  }
  return { precision: matched > 0 ? hits / matched : 0, coverage: hits / size, matched };
}

function numericCondition(rule: PersonaRule, index: number): Extract<RuleCondition, { kind: 'numeric' }> {
  const condition = rule.conditions[index]!;
  if (condition.kind !== 'numeric') throw new Error(`condition ${index} is categorical`);
  return condition;
}

describe('findPersonaRules', () => {
  const customers = makeCustomers(1);

  it('finds a planted income threshold with the precision and coverage of the true rule', () => {
    const labels = labelBy(customers, (row) => row[INCOME]! > 82_000, 0.03, 2);
    const result = findPersonaRules(customers.numeric, labels, 2, 1);
    const best = result.rules[0]!;
    expect(best.conditions).toHaveLength(1);
    const condition = numericCondition(best, 0);
    expect(condition).toMatchObject({ column: INCOME, direction: 'above' });
    expect(Math.abs(condition.threshold - 82_000)).toBeLessThanOrEqual(2_000);
    const truth = countConditions([{ kind: 'numeric', column: INCOME, direction: 'above', threshold: 82_000 }], customers.numeric, labels, 1);
    expect(Math.abs(best.precision - truth.precision)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(best.coverage - truth.coverage)).toBeLessThanOrEqual(0.02);
  });

  it('finds a planted conjunction "income above 82,000 and web visits above 14"', () => {
    const labels = labelBy(customers, (row) => row[INCOME]! > 82_000 && row[VISITS]! > 14, 0.02, 3);
    const result = findPersonaRules(customers.numeric, labels, 2, 1);
    const best = result.rules[0]!;
    expect(best.conditions).toHaveLength(2);
    const income = numericCondition(best, 0);
    const visits = numericCondition(best, 1);
    expect(income).toMatchObject({ column: INCOME, direction: 'above' });
    expect(Math.abs(income.threshold - 82_000)).toBeLessThanOrEqual(2_000);
    expect(visits).toMatchObject({ column: VISITS, direction: 'above', threshold: 14 });
    // The flipped labels cap both figures below 1; the true rule scores the same on them.
    const truth = countConditions(
      [
        { kind: 'numeric', column: INCOME, direction: 'above', threshold: 82_000 },
        { kind: 'numeric', column: VISITS, direction: 'above', threshold: 14 },
      ],
      customers.numeric,
      labels,
      1,
    );
    expect(Math.abs(best.precision - truth.precision)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(best.coverage - truth.coverage)).toBeLessThanOrEqual(0.02);
  });

  it('finds a planted category', () => {
    const labels = labelBy(customers, (_row, code) => code === 2, 0.02, 4);
    const result = findPersonaRules(customers.numeric, labels, 2, 1, { categorical: customers.categorical });
    expect(result.rules[0]!.conditions).toEqual([{ kind: 'categorical', column: 0, code: 2 }]);
    // Found exactly, so the figures are the true rule's: 2 % flipped labels leave precision ≈ 0.98 and
    // coverage ≈ 0.25 · 0.98 / (0.25 · 0.98 + 0.75 · 0.02) ≈ 0.94.
    expect(result.rules[0]!.precision).toBeGreaterThanOrEqual(0.96);
    expect(result.rules[0]!.coverage).toBeGreaterThanOrEqual(0.92);
  });

  it('describes a middle band as an interval on one column', () => {
    const labels = labelBy(customers, (row) => row[AGE]! > 30 && row[AGE]! <= 45, 0.01, 5);
    const best = findPersonaRules(customers.numeric, labels, 2, 1).rules[0]!;
    expect(best.conditions).toHaveLength(2);
    const lower = numericCondition(best, 0);
    const upper = numericCondition(best, 1);
    expect(lower).toMatchObject({ column: AGE, direction: 'above' });
    expect(upper).toMatchObject({ column: AGE, direction: 'atMost' });
    expect(Math.abs(lower.threshold - 30)).toBeLessThanOrEqual(1);
    expect(Math.abs(upper.threshold - 45)).toBeLessThanOrEqual(1);
  });

  it('offers alternative rules only on columns the better rules do not use', () => {
    // Column 3 is replaced by a noisy copy of income: both describe the persona, on different columns.
    const data = customers.numeric.data.slice();
    const random = createRandom(6);
    for (let i = 0; i < N; i++) data[i * 4 + 3] = data[i * 4 + INCOME]! * 0.001 + random.nextGaussian() * 3;
    const numeric: DenseMatrix = { data, rows: N, cols: 4 };
    const labels = labelBy(customers, (row) => row[INCOME]! > 82_000, 0, 7);
    const result = findPersonaRules(numeric, labels, 2, 1);
    expect(result.rules.length).toBeGreaterThanOrEqual(2);
    const columnSets = result.rules.map((rule) => rule.conditions.map((condition) => condition.column));
    const used = columnSets.flat();
    expect(new Set(used).size).toBe(used.length);
    expect(columnSets[1]).toContain(3);
    expect(result.rules[1]!.f1).toBeGreaterThanOrEqual(0.5 * result.rules[0]!.f1);
  });

  it('rounds thresholds to two significant digits and reports the counts of the rounded rule', () => {
    const labels = labelBy(customers, (row) => row[INCOME]! > 61_234 && row[AGE]! <= 52.7, 0.05, 8);
    const result = findPersonaRules(customers.numeric, labels, 2, 1, { categorical: customers.categorical });
    expect(result.rules.length).toBeGreaterThan(0);
    for (const rule of result.rules) {
      for (const condition of rule.conditions) {
        if (condition.kind === 'numeric') expect(Number(condition.threshold.toPrecision(2))).toBe(condition.threshold);
      }
      const counted = countConditions(rule.conditions, customers.numeric, labels, 1, customers.categorical);
      expect(rule.precision).toBe(counted.precision);
      expect(rule.coverage).toBe(counted.coverage);
      expect(rule.matchedRows).toBe(counted.matched);
    }
  });

  it('treats NaN as missing: a missing value matches no condition on its column', () => {
    const data = customers.numeric.data.slice();
    for (let i = 0; i < N; i += 7) data[i * 4 + INCOME] = Number.NaN;
    const numeric: DenseMatrix = { data, rows: N, cols: 4 };
    const labels = labelBy(customers, (row) => row[INCOME]! > 82_000, 0.02, 9);
    const best = findPersonaRules(numeric, labels, 2, 1).rules[0]!;
    expect(numericCondition(best, 0).column).toBe(INCOME);
    const counted = countConditions(best.conditions, numeric, labels, 1);
    expect(best.matchedRows).toBe(counted.matched);
    expect(best.coverage).toBeCloseTo(counted.coverage, 15);
  });

  it('returns no rule, with a warning, for a persona that no condition separates', () => {
    const random = createRandom(10);
    const labels = Int32Array.from({ length: N }, () => random.nextInt(2));
    const result = findPersonaRules(customers.numeric, labels, 2, 1);
    expect(result.rules).toEqual([]);
    expect(result.warnings[0]).toMatch(/^no rule beats matching every row/);
    expect(result.baseRate).toBeCloseTo(0.5, 1);
  });

  it('returns no rule for a persona without members', () => {
    const result = findPersonaRules(fromRows([[1], [2]]), Int32Array.from([0, 0]), 2, 1);
    expect(result.rules).toEqual([]);
    expect(result.warnings).toEqual(['persona 1 has no members: no rule']);
  });

  it('reports for every rule the precision and coverage its conditions have on the data', () => {
    fc.assert(
      fc.property(smallDataset, ({ numeric, labels, categorical }) => {
        const result = findPersonaRules(numeric, labels, 2, 1, { categorical, candidateThresholds: 8 });
        for (const rule of result.rules) {
          const counted = countConditions(rule.conditions, numeric, labels, 1, categorical);
          expect(rule.precision).toBe(counted.precision);
          expect(rule.coverage).toBe(counted.coverage);
          expect(rule.f1).toBeCloseTo((2 * rule.precision * rule.coverage) / (rule.precision + rule.coverage), 12);
        }
      }),
    );
  });

  it('rejects infinite values, a persona outside [0, k) and categorical rows that disagree', () => {
    expectEngineError(() => findPersonaRules(fromRows([[1], [Number.POSITIVE_INFINITY]]), Int32Array.from([0, 1]), 2, 1), 'non_finite_value', /row 1, column 0/);
    expectEngineError(() => findPersonaRules(fromRows([[1], [2]]), Int32Array.from([0, 1]), 2, 2), 'invalid_label', /persona 2 is outside \[0, 2\)/);
    const categorical: CategoricalMatrix = { codes: Int32Array.from([0]), rows: 1, cols: 1, cardinalities: Int32Array.from([1]) };
    expectEngineError(() => findPersonaRules(fromRows([[1], [2]]), Int32Array.from([0, 1]), 2, 1, { categorical }), 'shape_mismatch', /categorical has 1 rows, numeric has 2/);
  });
});

/** 10–60 rows, 1–3 numeric columns of small integers (ties), an optional binary categorical column, two personas. */
const smallDataset = fc
  .record({ n: fc.integer({ min: 10, max: 60 }), p: fc.integer({ min: 1, max: 3 }), hasCategorical: fc.boolean() })
  .chain(({ n, p, hasCategorical }) =>
    fc.record({
      values: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n * p, maxLength: n * p }),
      labels: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
      codes: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    }).map(({ values, labels, codes }) => ({
      numeric: { data: Float64Array.from(values, (v) => v * 1.37), rows: n, cols: p } as DenseMatrix,
      labels: Int32Array.from(labels),
      categorical: hasCategorical ? ({ codes: Int32Array.from(codes), rows: n, cols: 1, cardinalities: Int32Array.from([2]) } as CategoricalMatrix) : undefined,
    })),
  );
