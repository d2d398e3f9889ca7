import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '../../src/engine/index.ts';
import { fitPca, fromRows, projectRows } from '../../src/engine/index.ts';
import fixture from '../fixtures/reference/pca.json' with { type: 'json' };
import { expectEngineError, isRelativelyClose } from './support/assertions.ts';
import { makeBlobs } from './support/blobs.ts';

const cases = [
  { name: 'mall_2', x: fromRows(fixture.cases.mall_2.X), expected: fixture.cases.mall_2 },
  { name: 'wholesale_3', x: fromRows(fixture.cases.wholesale_3.X), expected: fixture.cases.wholesale_3 },
  { name: 'wholesale_6', x: fromRows(fixture.cases.wholesale_3.X), expected: fixture.cases.wholesale_6 },
];

describe('fitPca', () => {
  describe.each(cases)('against scikit-learn 1.2.1 PCA, case $name (test/fixtures/reference/pca.json)', ({ x, expected }) => {
    const pca = fitPca(x, expected.n_components);

    it('reproduces mean and components, signs included, to abs 1e-10', () => {
      expected.mean.forEach((value, j) => expect(Math.abs(pca.mean[j]! - value)).toBeLessThanOrEqual(1e-12));
      expect(pca.components.rows).toBe(expected.n_components);
      expected.components.flat().forEach((value, i) => expect(Math.abs(pca.components.data[i]! - value)).toBeLessThanOrEqual(1e-10));
    });

    it('reproduces explained variance, its ratio, singular values and noise variance to rel 1e-10', () => {
      expected.explained_variance.forEach((value, c) => expect(isRelativelyClose(pca.explainedVariance[c]!, value, 1e-10)).toBe(true));
      expected.explained_variance_ratio.forEach((value, c) => expect(isRelativelyClose(pca.explainedVarianceRatio[c]!, value, 1e-10)).toBe(true));
      expected.singular_values.forEach((value, c) => expect(isRelativelyClose(pca.singularValues[c]!, value, 1e-10)).toBe(true));
      expect(Math.abs(pca.noiseVariance - expected.noise_variance)).toBeLessThanOrEqual(1e-10 * Math.abs(expected.noise_variance) + 1e-14);
      expect(pca.warnings).toEqual([]);
    });

    it('projects the first twenty rows as transform does, to abs 1e-9', () => {
      const scores = projectRows(pca, { data: x.data.subarray(0, 20 * x.cols), rows: 20, cols: x.cols });
      expected.transform_first20.flat().forEach((value, i) => expect(Math.abs(scores.data[i]! - value)).toBeLessThanOrEqual(1e-9));
    });
  });

  describe('hand-worked case', () => {
    // Points on the diagonal: centred rows (−2, −2), (−1, −1), (0, 0), (3, 3). One axis (1, 1)/√2 carries all
    // the variance: scatter eigenvalue 2 · 14 = 28, explained variance 28/3, ratio 1; row 3 has the largest
    // score (3√2), so the axis points towards it.
    const x = fromRows([
      [0, 0],
      [1, 1],
      [2, 2],
      [5, 5],
    ]);

    it('finds the diagonal axis, oriented towards the row of largest score, with all the variance', () => {
      const pca = fitPca(x, 2);
      expect(Array.from(pca.mean)).toEqual([2, 2]);
      expect(pca.components.data[0]).toBeCloseTo(Math.SQRT1_2, 14);
      expect(pca.components.data[1]).toBeCloseTo(Math.SQRT1_2, 14);
      expect(pca.explainedVariance[0]).toBeCloseTo(28 / 3, 13);
      expect(pca.explainedVariance[1]).toBeCloseTo(0, 13);
      expect(pca.explainedVarianceRatio[0]).toBeCloseTo(1, 14);
      expect(pca.singularValues[0]).toBeCloseTo(Math.sqrt(28), 13);
      expect(pca.noiseVariance).toBe(0);
    });

    it('projects rows onto the axes', () => {
      const scores = projectRows(fitPca(x, 1), x);
      expect(scores.cols).toBe(1);
      [-2, -1, 0, 3].forEach((value, i) => expect(scores.data[i]).toBeCloseTo(value * Math.SQRT2, 13));
    });

    it('warns that constant data has no principal axes', () => {
      const pca = fitPca(fromRows([[1, 2], [1, 2], [1, 2]]), 1);
      expect(Array.from(pca.explainedVarianceRatio)).toEqual([0]);
      expect(pca.warnings).toEqual(['every column is constant: the components are arbitrary and explain no variance']);
    });
  });

  describe('properties', () => {
    it('returns orthonormal axes whose scores are centred, uncorrelated and have the explained variances', () => {
      fc.assert(
        fc.property(blobSpec, ({ n, d, seed }) => {
          const { x } = makeBlobs({ n, d, k: 3, seed, centerSpread: 3 });
          const c = Math.min(d, 3);
          const pca = fitPca(x, c);
          const axes = pca.components.data;
          for (let a = 0; a < c; a++) {
            for (let b = 0; b < c; b++) {
              let dot = 0;
              for (let j = 0; j < d; j++) dot += axes[a * d + j]! * axes[b * d + j]!;
              expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
            }
          }
          const scores = projectRows(pca, x);
          for (let a = 0; a < c; a++) {
            for (let b = a; b < c; b++) {
              let sumA = 0;
              let product = 0;
              for (let i = 0; i < n; i++) {
                sumA += scores.data[i * c + a]!;
                product += scores.data[i * c + a]! * scores.data[i * c + b]!;
              }
              expect(sumA / n).toBeCloseTo(0, 9);
              const covariance = product / (n - 1);
              if (a === b) expect(isRelativelyClose(covariance, pca.explainedVariance[a]!, 1e-9)).toBe(true);
              else expect(Math.abs(covariance)).toBeLessThan(1e-9 * pca.explainedVariance[0]!);
            }
          }
        }),
        { numRuns: 30 },
      );
    });

    it('orients every axis so the score of largest magnitude is positive, whatever the row order', () => {
      fc.assert(
        fc.property(blobSpec, ({ n, d, seed }) => {
          const { x } = makeBlobs({ n, d, k: 3, seed, centerSpread: 3 });
          const pca = fitPca(x, 1);
          const reversed: DenseMatrix = fromRows(Array.from({ length: n }, (_, i) => Array.from(x.data.subarray((n - 1 - i) * d, (n - i) * d))));
          const again = fitPca(reversed, 1);
          const scores = projectRows(pca, x).data;
          let largest = 0;
          for (const score of scores) if (Math.abs(score) > Math.abs(largest)) largest = score;
          return largest > 0 && pca.components.data.every((value, j) => Math.abs(value - again.components.data[j]!) < 1e-9);
        }),
        { numRuns: 30 },
      );
    });
  });

  describe('input checks', () => {
    it('rejects one row, and more components than min(n, d)', () => {
      expectEngineError(() => fitPca(fromRows([[1, 2]])), 'too_few_rows', /at least 2 rows, x has 1/);
      expectEngineError(() => fitPca(fromRows([[1, 2], [3, 4], [5, 7]]), 3), 'invalid_option', /components = 3 exceeds min\(n, d\) = min\(3, 2\) = 2/);
      expectEngineError(() => fitPca(fromRows([[1, 2], [3, 4]]), 0), 'invalid_option', /components = 0/);
    });

    it('rejects rows whose width differs from the fitted mean', () => {
      const pca = fitPca(fromRows([[1, 2], [3, 4], [5, 7]]), 1);
      expectEngineError(() => projectRows(pca, fromRows([[1, 2, 3]])), 'shape_mismatch', /x has 3 columns/);
    });
  });
});

const blobSpec = fc.record({ n: fc.integer({ min: 10, max: 120 }), d: fc.integer({ min: 2, max: 6 }), seed: fc.nat() });
