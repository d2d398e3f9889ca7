/**
 * The engine on real public data, against the reference figures of each dataset's SOURCE.md
 * (scikit-learn 1.2.1, k-means++ with n_init = 10). Our k-means++ draws from our own generator, so a
 * partition is compared by its inertia, sizes and silhouette, within the stated tolerances.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, computeSilhouette, fitGaussianMixture, fitKMeans } from '../../src/engine/index.ts';
import type { DenseMatrix } from '../../src/engine/index.ts';
import { readShared } from '../helpers/shared-data.ts';

function readColumns(relative: string, columns: readonly string[], transform: (value: number) => number = (value) => value): DenseMatrix {
  const records = parse(readShared(relative), { columns: true, delimiter: relative.endsWith('bank-full.csv') ? ';' : ',' }) as Record<string, string>[];
  const data = new Float64Array(records.length * columns.length);
  records.forEach((record, i) => columns.forEach((column, j) => (data[i * columns.length + j] = transform(Number(record[column])))));
  return { data, rows: records.length, cols: columns.length };
}

/** StandardScaler: population standard deviation. */
function standardize(x: DenseMatrix): DenseMatrix {
  const out = new Float64Array(x.data.length);
  for (let j = 0; j < x.cols; j++) {
    let sum = 0;
    for (let i = 0; i < x.rows; i++) sum += x.data[i * x.cols + j]!;
    const mean = sum / x.rows;
    let squares = 0;
    for (let i = 0; i < x.rows; i++) squares += (x.data[i * x.cols + j]! - mean) ** 2;
    const std = Math.sqrt(squares / x.rows);
    for (let i = 0; i < x.rows; i++) out[i * x.cols + j] = (x.data[i * x.cols + j]! - mean) / std;
  }
  return { data: out, rows: x.rows, cols: x.cols };
}

const sortedSizes = (sizes: Int32Array) => Array.from(sizes).sort((a, b) => a - b);

describe('k-means on Mall Customers (income and spending score, unscaled)', () => {
  const x = readColumns('data/mall_customers/Mall_Customers.csv', ['Annual Income (k$)', 'Spending Score (1-100)']);

  it('reaches the textbook k = 5 partition: sizes 22/23/35/39/81, inertia 44448.4554, silhouette 0.5539', () => {
    const fit = fitKMeans(x, { k: 5, seed: 0, nInit: 10 });
    expect(sortedSizes(fit.clusterSizes)).toEqual([22, 23, 35, 39, 81]);
    expect(fit.inertia).toBeCloseTo(44448.4554, 3);
    expect(computeSilhouette(x, fit.labels, 5).score).toBeCloseTo(0.5539, 4);
  });

  it('reproduces the silhouette for k = 2…6 within 0.001, best at k = 5', () => {
    const reference = [0.2969, 0.4676, 0.4932, 0.5539, 0.538];
    const scores = reference.map((_, i) => computeSilhouette(x, fitKMeans(x, { k: i + 2, seed: 0, nInit: 10 }).labels, i + 2).score);
    scores.forEach((score, i) => expect(Math.abs(score - reference[i]!), `k = ${i + 2}`).toBeLessThan(0.001));
    expect(scores.indexOf(Math.max(...scores)) + 2).toBe(5);
  });

  it('fits a full-covariance mixture whose labels agree with k-means k = 5 (ARI 0.9565 in SOURCE.md, ±0.02)', () => {
    const mixture = fitGaussianMixture(x, { k: 5, covarianceType: 'full', nInit: 10, seed: 0 });
    const kmeans = fitKMeans(x, { k: 5, seed: 0, nInit: 10 });
    expect(Math.abs(adjustedRandIndex(mixture.labels, kmeans.labels) - 0.9565)).toBeLessThan(0.02);
    expect(mixture.bic).toBeCloseTo(3664.45, 0);
  });
});

describe('k-means on Wholesale customers (log1p spending, standardized)', () => {
  const x = standardize(
    readColumns('data/wholesale_customers/Wholesale customers data.csv', ['Fresh', 'Milk', 'Grocery', 'Frozen', 'Detergents_Paper', 'Delicassen'], Math.log1p),
  );

  it('reproduces the silhouette for k = 2…4 within 0.005 and the k = 2 inertia 1844.06', () => {
    const reference = [0.2903, 0.2585, 0.1885];
    reference.forEach((expected, i) => {
      const fit = fitKMeans(x, { k: i + 2, seed: 0, nInit: 10 });
      expect(Math.abs(computeSilhouette(x, fit.labels, i + 2).score - expected), `k = ${i + 2}`).toBeLessThan(0.005);
      if (i === 0) {
        expect(fit.inertia).toBeCloseTo(1844.06, 1);
        expect(sortedSizes(fit.clusterSizes)).toEqual([188, 252]);
      }
    });
  });
});

describe('k-means on Bank Marketing (six numeric columns, standardized, all 45,211 clients)', () => {
  it('reaches the k = 3 segmentation of SOURCE.md: inertia 193907.88 (±0.01%), sizes within 0.5%', () => {
    const x = standardize(readColumns('data/bank_marketing/bank-full.csv', ['age', 'balance', 'campaign', 'duration', 'pdays', 'previous']));
    const fit = fitKMeans(x, { k: 3, seed: 0, nInit: 10 });
    expect(Math.abs(fit.inertia / 193907.88 - 1)).toBeLessThan(1e-4);
    sortedSizes(fit.clusterSizes).forEach((size, i) => expect(Math.abs(size / [6419, 15320, 23472][i]! - 1)).toBeLessThan(0.005));
  });
});
