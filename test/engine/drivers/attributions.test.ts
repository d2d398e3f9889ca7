import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DenseMatrix, SurrogateModel } from '../../../src/engine/index.ts';
import { attributeRow, createRandom, explainPersonas, fitSurrogate, fromRows } from '../../../src/engine/index.ts';
import { expectEngineError } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

describe('explainPersonas', () => {
  it('ranks the planted numeric feature first for the persona it defines', () => {
    // Persona 1 ⇔ column 2 > 0.5; columns 0, 1 and 3 are noise.
    const { x, labels } = planted(2000, 4, 13, (row) => (row[2]! > 0.5 ? 1 : 0));
    const fit = fitSurrogate(x, labels, 2, { seed: 1 });
    const explanation = explainPersonas(fit, x, labels, 2, Int32Array.from([0, 1, 2, 3]), 4);
    const drivers = explanation.personas[1]!;
    expect(drivers.attributions[0]!.feature).toBe(2);
    expect(drivers.attributions[0]!.attribution).toBeGreaterThan(0);
    expect(Math.abs(drivers.attributions[0]!.attribution)).toBeGreaterThan(5 * Math.abs(drivers.attributions[1]!.attribution));
    expect(explanation.personas[0]!.attributions[0]!.feature).toBe(2);
    expect(explanation.warnings).toEqual([]);
  });

  it('sums a one-hot block into its categorical feature, which ranks first when it defines the persona', () => {
    // Columns 0–1 numeric noise; columns 2–4 one-hot of feature 2 (category = row index mod 3); persona 1 ⇔
    // category 0. Feature 2's attribution is the sum of its three columns'.
    const n = 1500;
    const random = createRandom(21);
    const data = new Float64Array(n * 5);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      data[i * 5] = random.nextGaussian();
      data[i * 5 + 1] = random.nextGaussian();
      data[i * 5 + 2 + (i % 3)] = 1;
      labels[i] = i % 3 === 0 ? 1 : 0;
    }
    const x: DenseMatrix = { data, rows: n, cols: 5 };
    const featureOfColumn = Int32Array.from([0, 1, 2, 2, 2]);
    const fit = fitSurrogate(x, labels, 2, { heldOutShare: 0 });
    const explanation = explainPersonas(fit, x, labels, 2, featureOfColumn, 3);
    const drivers = explanation.personas[1]!;
    expect(drivers.attributions.map((a) => a.feature)[0]).toBe(2);
    const columns = explanation.columnAttributions.data.subarray(5, 10);
    expect(drivers.attributions[0]!.attribution).toBeCloseTo(columns[2]! + columns[3]! + columns[4]!, 14);
    expect(drivers.attributions).toHaveLength(3);
  });

  it('gives each column the mean of its members’ row SHAP values, which add up to the total attribution', () => {
    const { x, truth } = makeBlobs({ n: 240, d: 3, k: 3, seed: 31, centerSpread: 2 });
    const fit = fitSurrogate(x, truth, 3, { heldOutShare: 0 });
    const explanation = explainPersonas(fit, x, truth, 3, Int32Array.from([0, 1, 2]), 3);
    const row = new Float64Array(3);
    for (let c = 0; c < 3; c++) {
      const sums = new Float64Array(3);
      for (let i = 0; i < x.rows; i++) {
        if (truth[i] !== c) continue;
        attributeRow(fit, explanation.background, x.data.subarray(i * 3, i * 3 + 3), c, row);
        for (let j = 0; j < 3; j++) sums[j]! += row[j]!;
      }
      const drivers = explanation.personas[c]!;
      for (let j = 0; j < 3; j++) expect(explanation.columnAttributions.data[c * 3 + j]).toBeCloseTo(sums[j]! / drivers.size, 12);
      const total = drivers.attributions.reduce((sum, a) => sum + a.attribution, 0);
      expect(drivers.totalAttribution).toBeCloseTo(total, 12);
      const magnitudes = drivers.attributions.map((a) => Math.abs(a.attribution));
      expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
    }
  });

  it('warns about a persona without members and gives it zero attributions', () => {
    const x = fromRows([[0], [1], [2], [3]]);
    const labels = Int32Array.from([0, 0, 1, 1]);
    const model: SurrogateModel = { coefficients: fromRows([[-1], [1], [0.5]]), intercepts: Float64Array.from([0, 0, 0]) };
    const explanation = explainPersonas(model, x, labels, 3, Int32Array.from([0]), 1);
    expect(explanation.personas[2]!.attributions).toEqual([{ feature: 0, attribution: 0 }]);
    expect(explanation.warnings).toEqual(['persona 2 has no members: its attributions are 0']);
    // Persona 1's members average 2.5 against a background of 1.5: 1 × (2.5 − 1.5) = 1.
    expect(explanation.personas[1]!.attributions[0]!.attribution).toBe(1);
  });

  it('rejects a column mapped outside [0, featureCount) and a model of another width', () => {
    const x = fromRows([[0, 1], [1, 0]]);
    const labels = Int32Array.from([0, 1]);
    const model: SurrogateModel = { coefficients: fromRows([[1, 0], [0, 1]]), intercepts: new Float64Array(2) };
    expectEngineError(() => explainPersonas(model, x, labels, 2, Int32Array.from([0, 2]), 2), 'invalid_option', /featureOfColumn\[1\] = 2/);
    expectEngineError(() => explainPersonas(model, fromRows([[0, 1, 2]]), Int32Array.from([0]), 2, Int32Array.from([0, 1, 1]), 2), 'shape_mismatch', /model has 2 columns, x has 3/);
  });
});

describe('attributeRow', () => {
  it('satisfies efficiency: a row’s attributions add up to logit_c(row) − logit_c(background)', () => {
    fc.assert(
      fc.property(modelAndRows, ({ model, row, background, persona }) => {
        const values = attributeRow(model, background, row, persona);
        const sum = values.reduce((total, value) => total + value, 0);
        const difference = logit(model, row, persona) - logit(model, background, persona);
        expect(Math.abs(sum - difference)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(difference)));
      }),
    );
  });

  it('rejects a persona outside the model', () => {
    const model: SurrogateModel = { coefficients: fromRows([[1], [2]]), intercepts: new Float64Array(2) };
    expectEngineError(() => attributeRow(model, new Float64Array(1), new Float64Array(1), 2), 'invalid_label', /persona 2 is outside \[0, 2\)/);
  });
});

/** Gaussian rows with labels from a rule on each row. */
function planted(n: number, d: number, seed: number, rule: (row: Float64Array) => number): { x: DenseMatrix; labels: Int32Array } {
  const random = createRandom(seed);
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = random.nextGaussian();
    labels[i] = rule(data.subarray(i * d, (i + 1) * d));
  }
  return { x: { data, rows: n, cols: d }, labels };
}

function logit(model: SurrogateModel, row: Float64Array, persona: number): number {
  const d = model.coefficients.cols;
  let z = model.intercepts[persona]!;
  for (let j = 0; j < d; j++) z += model.coefficients.data[persona * d + j]! * row[j]!;
  return z;
}

const value = fc.double({ min: -100, max: 100, noNaN: true });

/** A random k × d linear model (k ≤ 4, d ≤ 6) with a row, a background and a persona. */
const modelAndRows = fc
  .record({ k: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 6 }) })
  .chain(({ k, d }) =>
    fc.record({
      model: fc
        .record({
          weights: fc.array(value, { minLength: k * d, maxLength: k * d }),
          intercepts: fc.array(value, { minLength: k, maxLength: k }),
        })
        .map(({ weights, intercepts }): SurrogateModel => ({
          coefficients: { data: Float64Array.from(weights), rows: k, cols: d },
          intercepts: Float64Array.from(intercepts),
        })),
      row: fc.array(value, { minLength: d, maxLength: d }).map((values) => Float64Array.from(values)),
      background: fc.array(value, { minLength: d, maxLength: d }).map((values) => Float64Array.from(values)),
      persona: fc.integer({ min: 0, max: k - 1 }),
    }),
  );
