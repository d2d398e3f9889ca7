import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeCalinskiHarabasz,
  computeDaviesBouldin,
  computeSilhouette,
  fromRows,
} from '../../src/engine/index.ts';
import fixture from '../fixtures/reference/kmeans_lloyd.json' with { type: 'json' };
import { expectEngineError, isRelativelyClose } from './support/assertions.ts';
import { makeBlobs } from './support/blobs.ts';

const referenceX = fromRows(fixture.input.X);
// 1-D points 0, 1, 10, 11 in two pairs: small enough to score on paper.
const pairs = fromRows([[0], [1], [10], [11]]);
const pairLabels = Int32Array.from([0, 0, 1, 1]);

describe('computeSilhouette', () => {
  for (const runName of ['run_a', 'run_b'] as const) {
    const run = fixture[runName];
    it(`matches scikit-learn's silhouette_score of ${runName}'s labels to rel 1e-9`, () => {
      const result = computeSilhouette(referenceX, Int32Array.from(run.labels), run.k);
      expect(isRelativelyClose(result.score, run.metrics.silhouette_score, 1e-9)).toBe(true);
      expect(result).toMatchObject({ sampleSize: 200, isSampled: false });
    });
  }

  it('averages (b − a) / max(a, b) over the rows', () => {
    // Rows 0 and 11: a = 1, b = 10.5. Rows 1 and 10: a = 1, b = 9.5.
    const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
    expect(computeSilhouette(pairs, pairLabels, 2).score).toBeCloseTo(expected, 14);
  });

  it('scores a row alone in its cluster as 0', () => {
    // Row 0: a = 1, b = 10. Row 1: a = 1, b = 9. Row 10 is a singleton.
    const x = fromRows([[0], [1], [10]]);
    const expected = (9 / 10 + 8 / 9 + 0) / 3;
    expect(computeSilhouette(x, Int32Array.from([0, 0, 1]), 2).score).toBeCloseTo(expected, 14);
  });

  it('ignores cluster slots that no row uses', () => {
    const spread = computeSilhouette(pairs, Int32Array.from([1, 1, 3, 3]), 5);
    expect(spread.score).toBe(computeSilhouette(pairs, pairLabels, 2).score);
  });

  it('on a seeded sample stays within 0.02 of the exact score and reports the sample size', () => {
    // 1500 of 6000 rows: the sampled mean's standard error is about 0.005 on these overlapping blobs.
    const { x, truth } = makeBlobs({ n: 6000, d: 4, k: 4, seed: 3, centerSpread: 2.5 });
    const exact = computeSilhouette(x, truth, 4, { sampleSize: 6000 });
    const sampled = computeSilhouette(x, truth, 4, { sampleSize: 1500, seed: 7 });

    expect(exact).toMatchObject({ sampleSize: 6000, isSampled: false });
    expect(sampled).toMatchObject({ sampleSize: 1500, isSampled: true });
    expect(Math.abs(sampled.score - exact.score)).toBeLessThan(0.02);
  });

  it('samples 5000 rows by default and the same seed draws the same sample', () => {
    const { x, truth } = makeBlobs({ n: 5001, d: 2, k: 3, seed: 8 });
    const first = computeSilhouette(x, truth, 3, { seed: 4 });
    const second = computeSilhouette(x, truth, 3, { seed: 4 });

    expect(first).toMatchObject({ sampleSize: 5000, isSampled: true });
    expect(second.score).toBe(first.score);
  });

  it('lies in [−1, 1]', () => {
    fc.assert(
      fc.property(labelledGrid, ({ x, labels, k }) => {
        const { score } = computeSilhouette(x, labels, k);
        return score >= -1 && score <= 1;
      }),
    );
  });

  it('rejects a labelling with a single cluster', () => {
    expectEngineError(() => computeSilhouette(pairs, Int32Array.from([0, 0, 0, 0]), 2), 'invalid_label_count', /between 2 and n − 1 = 3 distinct clusters, found 1/);
  });

  it('rejects a labelling that puts every row in its own cluster', () => {
    expectEngineError(() => computeSilhouette(pairs, Int32Array.from([0, 1, 2, 3]), 4), 'invalid_label_count', /found 4/);
  });

  it('rejects labels of the wrong length or outside [0, k)', () => {
    expectEngineError(() => computeSilhouette(pairs, Int32Array.from([0, 1]), 2), 'shape_mismatch', /2 entries, expected one per row \(4\)/);
    expectEngineError(() => computeSilhouette(pairs, Int32Array.from([0, 0, 1, 2]), 2), 'invalid_label', /label 2 at row 3 is outside \[0, 2\)/);
  });

  it('rejects a sample size below 2', () => {
    expectEngineError(() => computeSilhouette(pairs, pairLabels, 2, { sampleSize: 1 }), 'invalid_option', /sampleSize = 1/);
  });
});

describe('computeCalinskiHarabasz', () => {
  for (const runName of ['run_a', 'run_b'] as const) {
    const run = fixture[runName];
    it(`matches scikit-learn's calinski_harabasz_score of ${runName}'s labels to rel 1e-9`, () => {
      const score = computeCalinskiHarabasz(referenceX, Int32Array.from(run.labels), run.k);
      expect(isRelativelyClose(score, run.metrics.calinski_harabasz_score, 1e-9)).toBe(true);
    });
  }

  it('divides between-cluster by within-cluster dispersion, scaled by (n − L) / (L − 1)', () => {
    // Mean 5.5, centroids 0.5 and 10.5: between = 4 × 25 = 100, within = 4 × 0.25 = 1, so 100 × 2 / 1.
    expect(computeCalinskiHarabasz(pairs, pairLabels, 2)).toBeCloseTo(200, 12);
  });

  it('returns 1 when every row sits on its centroid', () => {
    expect(computeCalinskiHarabasz(fromRows([[0], [0], [5], [5]]), pairLabels, 2)).toBe(1);
  });

  it('rejects a non-finite value with its row and column', () => {
    const x = fromRows([[0, 1], [1, 1], [10, Number.NaN], [11, 1]]);
    expectEngineError(() => computeCalinskiHarabasz(x, pairLabels, 2), 'non_finite_value', /row 2, column 1/);
  });
});

describe('computeDaviesBouldin', () => {
  for (const runName of ['run_a', 'run_b'] as const) {
    const run = fixture[runName];
    it(`matches scikit-learn's davies_bouldin_score of ${runName}'s labels to rel 1e-9`, () => {
      const score = computeDaviesBouldin(referenceX, Int32Array.from(run.labels), run.k);
      expect(isRelativelyClose(score, run.metrics.davies_bouldin_score, 1e-9)).toBe(true);
    });
  }

  it('averages each cluster’s worst (sᵢ + sⱼ) / distance between centroids', () => {
    // Both scatters are 0.5 and the centroids are 10 apart: (0.5 + 0.5) / 10 for each cluster.
    expect(computeDaviesBouldin(pairs, pairLabels, 2)).toBeCloseTo(0.1, 14);
  });

  it('returns 0 when no cluster has any scatter', () => {
    expect(computeDaviesBouldin(fromRows([[0], [0], [5], [5]]), pairLabels, 2)).toBe(0);
  });

  it('rejects a labelling with a single cluster', () => {
    expectEngineError(() => computeDaviesBouldin(pairs, Int32Array.from([1, 1, 1, 1]), 2), 'invalid_label_count', /found 1/);
  });
});


/** 4–40 rows on a small grid with labels using at least 2 and at most n − 1 of k slots. */
const labelledGrid = fc
  .record({ n: fc.integer({ min: 4, max: 40 }), d: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 2, max: 5 }) })
  .chain(({ n, d, k }) =>
    fc.record({
      values: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n * d, maxLength: n * d }),
      labels: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
      n: fc.constant(n),
      d: fc.constant(d),
      k: fc.constant(k),
    }),
  )
  .filter(({ labels, n }) => {
    const present = new Set(labels).size;
    return present >= 2 && present <= n - 1;
  })
  .map(({ values, labels, n, d, k }) => ({
    x: { data: Float64Array.from(values), rows: n, cols: d },
    labels: Int32Array.from(labels),
    k,
  }));
