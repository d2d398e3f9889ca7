import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '../../../src/engine/index.ts';
import { fitSurrogate, fromRows, predictSurrogate } from '../../../src/engine/index.ts';
import fixture from '../../fixtures/reference/drivers_surrogate.json' with { type: 'json' };
import { expectEngineError, isBitIdentical } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

const cases = [
  { name: 'mall_k5', expected: fixture.cases.mall_k5 },
  { name: 'bank_mixed', expected: fixture.cases.bank_mixed },
].map(({ name, expected }) => ({ name, expected, x: fromRows(expected.X), labels: Int32Array.from(expected.labels) }));

describe('fitSurrogate', () => {
  describe.each(cases)(
    'against scikit-learn 1.2.1 LogisticRegression(multinomial, lbfgs, C = 1/(n l2)), case $name (test/fixtures/reference/drivers_surrogate.json)',
    ({ expected, x, labels }) => {
      const fit = fitSurrogate(x, labels, expected.k, { l2: expected.l2, heldOutShare: 0, tolerance: 1e-11, maxIterations: 2000 });

      it('converges to the exact optimum (scikit-learn polished by Newton steps) within 1e-6', () => {
        expect(fit.converged).toBe(true);
        expect(fit.trainRows).toBe(x.rows);
        expect(fit.heldOutAccuracy).toBeNull();
        expected.optimum_coefficients.flat().forEach((value, i) => expect(Math.abs(fit.coefficients.data[i]! - value)).toBeLessThanOrEqual(1e-6));
        expected.optimum_intercepts.forEach((value, c) => expect(Math.abs(fit.intercepts[c]! - value)).toBeLessThanOrEqual(1e-6));
        expect(Math.abs(fit.objective - expected.objective)).toBeLessThanOrEqual(1e-9);
      });

      it("agrees with scikit-learn's own coefficients within scikit-learn's recorded distance from the optimum", () => {
        // SciPy's L-BFGS stops on relative decrease with a gradient near 1e-6; newton_polish_max_change is
        // how far that leaves scikit-learn from the optimum (3e-5 on mall, 4e-4 on the collinear bank case).
        const tolerance = expected.newton_polish_max_change + 1e-6;
        expected.coefficients.flat().forEach((value, i) => expect(Math.abs(fit.coefficients.data[i]! - value)).toBeLessThanOrEqual(tolerance));
        expected.intercepts.forEach((value, c) => expect(Math.abs(fit.intercepts[c]! - value)).toBeLessThanOrEqual(tolerance));
        expect(fit.trainAccuracy).toBe(expected.train_accuracy);
      });

      it('predicts the probabilities of predict_proba on the first ten rows within 1e-4', () => {
        const prediction = predictSurrogate(fit, { data: x.data.subarray(0, 10 * x.cols), rows: 10, cols: x.cols });
        expected.predict_proba_first10.flat().forEach((value, i) => expect(Math.abs(prediction.probabilities.data[i]! - value)).toBeLessThanOrEqual(1e-4));
      });
    },
  );

  it('solves a hand-worked symmetric two-point problem: l2 · w = 1 / (1 + e^{2w})', () => {
    // Rows x = 1 (persona 1) and x = −1 (persona 0). By symmetry b = 0 and W = (−w, w); the mean loss is
    // log(1 + e^{−2w}) and the penalty l2 w², whose derivatives cancel where l2 w = 1 / (1 + e^{2w}).
    const l2 = 0.1;
    const fit = fitSurrogate(fromRows([[1], [-1]]), Int32Array.from([1, 0]), 2, { l2, heldOutShare: 0, tolerance: 1e-12 });
    let low = 0;
    let high = 10;
    for (let step = 0; step < 200; step++) {
      const middle = (low + high) / 2;
      if (l2 * middle < 1 / (1 + Math.exp(2 * middle))) low = middle;
      else high = middle;
    }
    expect(fit.coefficients.data[1]).toBeCloseTo(low, 10);
    expect(fit.coefficients.data[0]).toBeCloseTo(-low, 10);
    expect(fit.intercepts[0]).toBeCloseTo(0, 12);
    expect(fit.intercepts[1]).toBeCloseTo(0, 12);
    expect(fit.trainAccuracy).toBe(1);
  });

  it('finds the same optimum when every row is duplicated, because the loss is a mean (C scales with n)', () => {
    const { x, labels } = cases[0]!;
    const doubled: DenseMatrix = { data: new Float64Array([...x.data, ...x.data]), rows: 2 * x.rows, cols: x.cols };
    const options = { l2: 1e-2, heldOutShare: 0, tolerance: 1e-11 };
    const once = fitSurrogate(x, labels, 5, options);
    const twice = fitSurrogate(doubled, Int32Array.from([...labels, ...labels]), 5, options);
    once.coefficients.data.forEach((value, i) => expect(twice.coefficients.data[i]!).toBeCloseTo(value, 7));
  });

  it('holds out a stratified share of every persona and reports accuracy on those rows', () => {
    // Personas of 50, 30 and 20 rows: 10 + 6 + 4 rows held out at 20 %.
    const { x } = makeBlobs({ n: 100, d: 3, k: 3, seed: 4 });
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : i < 80 ? 1 : 2));
    const fit = fitSurrogate(x, labels, 3, { seed: 1 });
    expect(fit.heldOutRows).toBe(20);
    expect(fit.trainRows).toBe(80);
    expect(fit.sampledRows).toBe(100);
    expect(fit.isSampled).toBe(false);
    expect(fit.heldOutAccuracy).not.toBeNull();
  });

  it('explains well-separated personas with held-out accuracy near 1', () => {
    const { x, truth } = makeBlobs({ n: 600, d: 4, k: 4, seed: 11, centerSpread: 5 });
    const fit = fitSurrogate(x, truth, 4, { seed: 3 });
    expect(fit.converged).toBe(true);
    expect(fit.heldOutAccuracy!).toBeGreaterThanOrEqual(0.97);
    expect(fit.trainAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(fit.warnings).toEqual([]);
  });

  it('reproduces a fit bit for bit from the same seed, and another seed draws another split', () => {
    const { x, truth } = makeBlobs({ n: 300, d: 3, k: 3, seed: 5, centerSpread: 2, noise: 1.5 });
    const first = fitSurrogate(x, truth, 3, { seed: 9 });
    const again = fitSurrogate(x, truth, 3, { seed: 9 });
    const other = fitSurrogate(x, truth, 3, { seed: 10 });
    expect(isBitIdentical(first.coefficients.data, again.coefficients.data)).toBe(true);
    expect(isBitIdentical(first.intercepts, again.intercepts)).toBe(true);
    expect(first.heldOutAccuracy).toBe(again.heldOutAccuracy);
    expect(isBitIdentical(first.coefficients.data, other.coefficients.data)).toBe(false);
  });

  it('fits a seeded stratified sample when there are more rows than sampleSize, and says so', () => {
    const { x, truth } = makeBlobs({ n: 3000, d: 2, k: 3, seed: 6 });
    const fit = fitSurrogate(x, truth, 3, { sampleSize: 1000 });
    expect(fit.isSampled).toBe(true);
    // Quotas 334 + 333 + 333 by largest remainders; each persona holds out round(0.2 × quota) = 67.
    expect(fit.sampledRows).toBe(1000);
    expect(fit.heldOutRows).toBe(201);
    expect(fit.warnings).toEqual(['fitted on a seeded stratified sample of 1000 of 3000 rows (sampleSize = 1000)']);
  });

  it('gives a persona without rows zero coefficients and an intercept of −∞, so it is never predicted', () => {
    const { x, truth } = makeBlobs({ n: 90, d: 2, k: 3, seed: 7 });
    const labels = truth.map((label) => (label === 2 ? 3 : label));
    const fit = fitSurrogate(x, labels, 4, { heldOutShare: 0 });
    expect(fit.intercepts[2]).toBe(Number.NEGATIVE_INFINITY);
    expect(Array.from(fit.coefficients.data.subarray(4, 6))).toEqual([0, 0]);
    expect(fit.warnings).toEqual(['persona 2 has no rows: its coefficients are 0 and its intercept −∞ (never predicted)']);
    const prediction = predictSurrogate(fit, x);
    expect(prediction.labels.includes(2)).toBe(false);
    for (let i = 0; i < x.rows; i++) expect(prediction.probabilities.data[i * 4 + 2]).toBe(0);
  });

  it('reports a fit stopped by maxIterations as not converged', () => {
    const { x, truth } = makeBlobs({ n: 200, d: 3, k: 3, seed: 8 });
    const fit = fitSurrogate(x, truth, 3, { maxIterations: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(2);
    expect(fit.warnings[0]).toMatch(/^stopped at maxIterations = 2 before convergence/);
  });

  it('rejects fewer than two personas with rows, k below 2 and out-of-range options', () => {
    const x = fromRows([[0], [1], [2]]);
    expectEngineError(() => fitSurrogate(x, Int32Array.from([1, 1, 1]), 2), 'invalid_label_count', /only 1 of k = 2/);
    expectEngineError(() => fitSurrogate(x, Int32Array.from([0, 0, 0]), 1), 'invalid_k', /k = 1/);
    expectEngineError(() => fitSurrogate(x, Int32Array.from([0, 2, 1]), 2), 'invalid_label', /label 2 at row 1/);
    expectEngineError(() => fitSurrogate(x, Int32Array.from([0, 1, 1]), 2, { heldOutShare: 1 }), 'invalid_option', /heldOutShare = 1/);
    expectEngineError(() => fitSurrogate(x, Int32Array.from([0, 1, 1]), 2, { l2: 0 }), 'invalid_option', /l2 = 0/);
    expectEngineError(() => fitSurrogate(x, Int32Array.from([0, 1, 1]), 2, { sampleSize: 1 }), 'invalid_option', /sampleSize = 1/);
  });
});

describe('predictSurrogate', () => {
  it('returns probabilities that sum to 1 per row, with the label at their largest', () => {
    const { x, truth } = makeBlobs({ n: 120, d: 3, k: 4, seed: 12, centerSpread: 2 });
    const fit = fitSurrogate(x, truth, 4);
    const { labels, probabilities } = predictSurrogate(fit, x);
    for (let i = 0; i < x.rows; i++) {
      const row = Array.from(probabilities.data.subarray(i * 4, i * 4 + 4));
      expect(row.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 14);
      expect(row[labels[i]!]).toBe(Math.max(...row));
    }
  });

  it('rejects rows whose width differs from the model', () => {
    const fit = fitSurrogate(fromRows([[0, 1], [1, 0], [2, 2]]), Int32Array.from([0, 1, 1]), 2, { heldOutShare: 0 });
    expectEngineError(() => predictSurrogate(fit, fromRows([[1, 2, 3]])), 'shape_mismatch', /model has 2 columns, x has 3/);
  });
});
