import { describe, expect, it } from 'vitest';
import { createRandom, EngineInputError, fitGaussianMixture, fitKMeans, mergeCenters, mergeMixtureComponents, planClusterMerge } from '../../src/engine/index.ts';
import type { DenseMatrix } from '../../src/engine/index.ts';

/** n × d rows from a seeded normal distribution, shifted by `offset`. */
function normalRows(n: number, d: number, seed: number, offset: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => offset + (j + 1) * random.nextGaussian()));
}

function meanOf(rows: number[][]): number[] {
  return rows[0]!.map((_, j) => rows.reduce((sum, row) => sum + row[j]!, 0) / rows.length);
}

/** Population covariance (divided by n), d × d row-major. */
function covarianceOf(rows: number[][]): number[] {
  const mean = meanOf(rows);
  const d = mean.length;
  const out = new Array<number>(d * d).fill(0);
  for (const row of rows) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) out[a * d + b]! += ((row[a]! - mean[a]!) * (row[b]! - mean[b]!)) / rows.length;
  return out;
}

const matrix = (rows: number[][]): DenseMatrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length });

describe('planClusterMerge', () => {
  it('gives the merged cluster the smallest index of the group and keeps the order of the others', () => {
    expect(Array.from(planClusterMerge(5, [3, 1]).indexMap)).toEqual([0, 1, 2, 1, 3]);
    expect(planClusterMerge(5, [3, 1]).k).toBe(4);
    expect(Array.from(planClusterMerge(4, [0, 2, 3]).indexMap)).toEqual([0, 1, 0, 0]);
  });

  it('rejects a group of one, a repeated index and an index out of range', () => {
    expect(() => planClusterMerge(3, [1])).toThrow(EngineInputError);
    expect(() => planClusterMerge(3, [1, 1])).toThrow(/twice/);
    expect(() => planClusterMerge(3, [0, 3])).toThrow(/not in 0…2/);
  });
});

describe('mergeCenters', () => {
  it('places the merged centre at the centroid of the union of the members when weighted by size', () => {
    const a = normalRows(30, 3, 1, 0);
    const b = normalRows(70, 3, 2, 5);
    const c = normalRows(10, 3, 3, -5);
    const centers = matrix([meanOf(c), meanOf(a), meanOf(b)]);
    const merged = mergeCenters(centers, [10, 30, 70], [1, 2]);
    expect(merged.k).toBe(2);
    expect(Array.from(merged.centers.data.subarray(0, 3))).toEqual(meanOf(c));
    const union = meanOf([...a, ...b]);
    Array.from(merged.centers.data.subarray(3)).forEach((value, j) => expect(value).toBeCloseTo(union[j]!, 12));
  });

  it('takes the plain mean of a group without weight', () => {
    const merged = mergeCenters(matrix([[0, 0], [2, 4], [9, 9]]), [0, 0, 5], [0, 1]);
    expect(Array.from(merged.centers.data)).toEqual([1, 2, 9, 9]);
  });

  it('rejects weights that do not match the centres or are negative', () => {
    expect(() => mergeCenters(matrix([[0], [1]]), [1], [0, 1])).toThrow(/1 weights for 2 clusters/);
    expect(() => mergeCenters(matrix([[0], [1]]), [1, -1], [0, 1])).toThrow(/≥ 0/);
  });
});

describe('mergeMixtureComponents', () => {
  const a = normalRows(40, 3, 11, 0);
  const b = normalRows(60, 3, 12, 3);
  const other = normalRows(50, 3, 13, -8);
  const total = 150;

  it('preserves the mean and covariance of the merged pair (full covariances): they are those of the union of the members', () => {
    const merged = mergeMixtureComponents(
      {
        covarianceType: 'full',
        weights: [40 / total, 50 / total, 60 / total],
        means: matrix([meanOf(a), meanOf(other), meanOf(b)]),
        covariances: [...covarianceOf(a), ...covarianceOf(other), ...covarianceOf(b)],
      },
      [0, 2],
    );
    expect(Array.from(merged.indexMap)).toEqual([0, 1, 0]);
    expect(merged.weights[0]).toBeCloseTo(100 / total, 14);
    expect(merged.weights[1]).toBeCloseTo(50 / total, 14);
    const union = [...a, ...b];
    Array.from(merged.means.data.subarray(0, 3)).forEach((value, j) => expect(value).toBeCloseTo(meanOf(union)[j]!, 12));
    Array.from(merged.covariances.subarray(0, 9)).forEach((value, t) => expect(value).toBeCloseTo(covarianceOf(union)[t]!, 12));
    expect(Array.from(merged.covariances.subarray(9))).toEqual(covarianceOf(other));
  });

  it('keeps diagonal covariances diagonal, equal to the variances of the union', () => {
    const diagonal = (rows: number[][]) => covarianceOf(rows).filter((_, t) => t % 4 === 0);
    const merged = mergeMixtureComponents(
      { covarianceType: 'diag', weights: [0.4, 0.6], means: matrix([meanOf(a), meanOf(b)]), covariances: [...diagonal(a), ...diagonal(b)] },
      [1, 0],
    );
    expect(merged.k).toBe(1);
    Array.from(merged.covariances).forEach((value, j) => expect(value).toBeCloseTo(diagonal([...a, ...b])[j]!, 12));
  });

  it('rejects covariances of the wrong layout', () => {
    expect(() => mergeMixtureComponents({ covarianceType: 'full', weights: [0.5, 0.5], means: matrix([[0, 0], [1, 1]]), covariances: [1, 1, 1, 1] }, [0, 1])).toThrow(/expected 8/);
  });
});

describe('warm starts from a merge', () => {
  // Three blobs fitted with k = 4 split one of them; merging the split pair and re-fitting from the
  // merged centres gives back the three blobs.
  const blobs = {
    x: matrix([
      ...normalRows(200, 2, 21, 0),
      ...normalRows(200, 2, 22, 0).map(([x, y]) => [x! + 12, y!]),
      ...normalRows(200, 2, 23, 0).map(([x, y]) => [x!, y! + 12]),
    ]),
  };

  it('re-fits k-means from merged centres to the partition a k = 3 fit finds', () => {
    const four = fitKMeans(blobs.x, { k: 4, seed: 3, nInit: 1 });
    const sizes = Array.from({ length: 4 }, (_, c) => four.labels.filter((label) => label === c).length);
    // The two centres nearest each other are the halves of one blob.
    let pair: [number, number] = [0, 1];
    let best = Infinity;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        const dx = four.centers.data[p * 2]! - four.centers.data[q * 2]!;
        const dy = four.centers.data[p * 2 + 1]! - four.centers.data[q * 2 + 1]!;
        if (Math.hypot(dx, dy) < best) [best, pair] = [Math.hypot(dx, dy), [p, q]];
      }
    }
    const merged = mergeCenters(four.centers, sizes, pair);
    const three = fitKMeans(blobs.x, { k: 3, initialCenters: merged.centers });
    const counts = Array.from({ length: 3 }, (_, c) => three.labels.filter((label) => label === c).length).sort();
    expect(counts).toEqual([200, 200, 200]);
  });

  it('re-fits a Gaussian mixture by EM from moment-matched components', () => {
    const four = fitGaussianMixture(blobs.x, { k: 4, covarianceType: 'diag', seed: 3 });
    const order = Array.from(four.weights.keys()).sort((p, q) => four.weights[q]! - four.weights[p]!);
    // The two lightest components share a blob when k = 4 exceeds the three blobs.
    const merged = mergeMixtureComponents({ covarianceType: 'diag', weights: four.weights, means: four.means, covariances: four.covariances }, [order[2]!, order[3]!]);
    const three = fitGaussianMixture(blobs.x, { k: 3, covarianceType: 'diag', init: { weights: merged.weights, means: merged.means, covariances: merged.covariances } });
    const counts = Array.from({ length: 3 }, (_, c) => three.labels.filter((label) => label === c).length).sort();
    expect(counts).toEqual([200, 200, 200]);
  });
});
