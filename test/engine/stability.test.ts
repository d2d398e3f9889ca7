import { describe, expect, it } from 'vitest';
import type { DenseMatrix, ReclusterFunction } from '../../src/engine/index.ts';
import { assessClusterStability, createRandom, fitKMeans, fromRows } from '../../src/engine/index.ts';
import { expectEngineError } from './support/assertions.ts';
import { makeBlobs } from './support/blobs.ts';

const kmeansWith = (k: number): ReclusterFunction => (sample, seed) => fitKMeans(sample, { k, seed, nInit: 3 }).labels;

/**
 * Two tight blobs and one wide round blob far apart (90 rows each, d = 6): with k = 4, k-means splits the
 * wide blob, and since it is round, each resample splits it along another direction (in 6 dimensions two
 * such directions are far apart, so the halves match poorly from one resample to the next).
 */
function tightTightWide(): DenseMatrix {
  const random = createRandom(17);
  const blobs = [
    { first: 0, sd: 0.5 },
    { first: 20, sd: 0.5 },
    { first: -20, sd: 3 },
  ];
  const rows: number[][] = [];
  for (const { first, sd } of blobs) {
    for (let i = 0; i < 90; i++) rows.push(Array.from({ length: 6 }, (_, j) => (j === 0 ? first : 0) + sd * random.nextGaussian()));
  }
  return fromRows(rows);
}

describe('assessClusterStability', () => {
  it('finds every cluster of three clean blobs stable, recovered in every resample, with ARI near 1', () => {
    const { x } = makeBlobs({ n: 300, d: 2, k: 3, seed: 2, centerSpread: 10 });
    const labels = fitKMeans(x, { k: 3 }).labels;

    const result = assessClusterStability(x, labels, 3, kmeansWith(3), { resamples: 30, seed: 1 });

    expect(result.clusters).toHaveLength(3);
    for (const cluster of result.clusters) {
      expect(cluster.isStable).toBe(true);
      expect(cluster.meanJaccard).toBeGreaterThan(0.95);
      expect(cluster.dissolvedCount).toBe(0);
      expect(cluster.recoveredCount).toBe(30);
      expect(cluster.jaccards).toHaveLength(30);
    }
    expect(result.clusters.map((c) => c.size).reduce((a, b) => a + b, 0)).toBe(300);
    expect(result.meanAdjustedRandIndex).toBeGreaterThan(0.95);
    // Each resample keeps about 1 − 1/e of the distinct rows.
    expect(result.meanResampleRows / 300).toBeGreaterThan(0.58);
    expect(result.meanResampleRows / 300).toBeLessThan(0.69);
    expect(result.warnings).toEqual([]);
  });

  it('flags the two halves of a blob split by too large a k as unstable and keeps the intact blobs stable', () => {
    const x = tightTightWide();
    const labels = fitKMeans(x, { k: 4, nInit: 5 }).labels;
    // The halves of the wide blob are the clusters whose rows come from rows 180–269.
    const halves = new Set(Array.from(labels.subarray(180)));
    expect(halves.size).toBe(2);

    const result = assessClusterStability(x, labels, 4, kmeansWith(4), { resamples: 40, seed: 3 });

    for (const cluster of result.clusters) {
      if (halves.has(cluster.cluster)) {
        expect(cluster.isStable).toBe(false);
        expect(cluster.meanJaccard).toBeLessThan(0.7);
        expect(cluster.dissolvedCount).toBeGreaterThan(0);
      } else {
        expect(cluster.isStable).toBe(true);
        expect(cluster.meanJaccard).toBeGreaterThan(0.95);
      }
    }
  });

  it('reproduces the same result for the same seed and passes the callback the same seeds', () => {
    const { x } = makeBlobs({ n: 120, d: 3, k: 3, seed: 9, centerSpread: 1.5 });
    const labels = fitKMeans(x, { k: 3 }).labels;
    const seen: number[][] = [[], []];
    const run = (trace: number[]) =>
      assessClusterStability(x, labels, 3, (sample, seed) => {
        trace.push(seed, sample.rows);
        return fitKMeans(sample, { k: 3, seed }).labels;
      }, { resamples: 10, seed: 5 });

    const first = run(seen[0]!);
    const second = run(seen[1]!);
    expect(seen[0]).toEqual(seen[1]);
    expect(second).toEqual(first);
    const other = assessClusterStability(x, labels, 3, kmeansWith(3), { resamples: 10, seed: 6 });
    expect(other.adjustedRandIndices).not.toEqual(first.adjustedRandIndices);
  });

  it('computes Jaccard on the distinct resampled rows against the best-matching resample cluster', () => {
    // Six rows in two clusters; a callback that always answers "one cluster" makes the best Jaccard of
    // cluster c exactly |C*_c| / m (its resampled rows over all m resampled rows), and the ARI 0 when
    // both clusters were drawn (1 when only one was).
    const x = fromRows([[0], [1], [2], [10], [11], [12]]);
    const labels = new Int32Array([0, 0, 0, 1, 1, 1]);
    const expected: { first: number; second: number; rows: number; isDistinct: boolean }[] = [];
    const result = assessClusterStability(
      x,
      labels,
      2,
      (sample) => {
        const values = Array.from(sample.data);
        const first = values.filter((v) => v < 5).length;
        expected.push({ first, second: sample.rows - first, rows: sample.rows, isDistinct: new Set(values).size === values.length });
        return new Int32Array(sample.rows);
      },
      { resamples: 20, seed: 2 },
    );

    expect(expected).toHaveLength(20);
    expected.forEach(({ first, second, rows, isDistinct }, b) => {
      expect(isDistinct).toBe(true);
      expect(result.clusters[0]!.jaccards[b]).toBe(first / rows);
      expect(result.clusters[1]!.jaccards[b]).toBe(second / rows);
      expect(result.adjustedRandIndices[b]).toBe(first > 0 && second > 0 ? 0 : 1);
    });
  });

  it('rejects labels outside [0, k), a callback answer of the wrong length, and thresholds outside [0, 1]', () => {
    const x = fromRows([[0], [1], [2], [3]]);
    const labels = new Int32Array([0, 0, 1, 1]);
    expectEngineError(() => assessClusterStability(x, new Int32Array([0, 0, 2, 1]), 2, kmeansWith(2)), 'invalid_label', /label 2 at row 2 is outside \[0, 2\)/);
    expectEngineError(
      () => assessClusterStability(x, labels, 2, () => new Int32Array(1), { resamples: 1 }),
      'shape_mismatch',
      /returned 1 labels for its \d rows/,
    );
    expectEngineError(() => assessClusterStability(x, labels, 2, kmeansWith(2), { stableThreshold: 1.5 }), 'invalid_option', /stableThreshold = 1.5/);
    expectEngineError(() => assessClusterStability(x, labels, 2, kmeansWith(2), { resamples: 0 }), 'invalid_option', /resamples = 0/);
  });
});
