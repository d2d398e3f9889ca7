import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeOutlierThresholds } from '../../src/engine/index.ts';
import { sortedQuantile } from '../../src/engine/outliers.ts';
import { expectEngineError } from './support/assertions.ts';

describe('sortedQuantile', () => {
  it('interpolates linearly between order statistics at position (m − 1) q', () => {
    const values = new Float64Array([1, 2, 3, 4, 5]);
    // (5 − 1) · 0.99 = 3.96: between 4 and 5, 96 % of the way.
    expect(sortedQuantile(values, 0.99)).toBe(4.96);
    expect(sortedQuantile(values, 0.5)).toBe(3);
    expect(sortedQuantile(values, 0)).toBe(1);
    expect(sortedQuantile(values, 1)).toBe(5);
    expect(sortedQuantile(new Float64Array([7]), 0.99)).toBe(7);
  });

  it('gives the same doubles as np.quantile (numpy 1.24, method linear)', () => {
    // np.quantile([0.3, 2.5, 1.1, 7.25, 0.9, 3.3, 4.0], q) with /usr/bin/python3 (numpy 1.24.2).
    const sorted = new Float64Array([0.3, 2.5, 1.1, 7.25, 0.9, 3.3, 4.0]).sort();
    const numpy: [number, number][] = [
      [0.99, 7.054999999999998],
      [0.9, 5.300000000000001],
      [0.75, 3.65],
      [0.5, 2.5],
      [0.37, 1.4079999999999997],
      [0.1, 0.66],
      [0, 0.3],
      [1, 7.25],
    ];
    for (const [q, expected] of numpy) expect(sortedQuantile(sorted, q)).toBe(expected);
    expect(sortedQuantile(new Float64Array([0.1, 0.7]), 0.99)).toBe(0.694);
  });
});

describe('computeOutlierThresholds', () => {
  it('gives each cluster the quantile of its own members’ distances, whatever the row order', () => {
    // Cluster 0: distances 5, 1, 4, 2, 3 (q 0.99 → 4.96); cluster 1: 10, 0 (q 0.99 → 9.9).
    const distances = new Float64Array([5, 10, 1, 4, 0, 2, 3]);
    const labels = new Int32Array([0, 1, 0, 0, 1, 0, 0]);

    const result = computeOutlierThresholds(distances, labels, 2, { minClusterShare: 0 });

    expect(result.quantile).toBe(0.99);
    expect(result.clusters.map((c) => c.distanceThreshold)).toEqual([4.96, 9.9]);
    expect(result.clusters.map((c) => c.maxDistance)).toEqual([5, 10]);
    expect(result.clusters.map((c) => c.size)).toEqual([5, 2]);
    expect(result.clusters[0]!.share).toBeCloseTo(5 / 7, 15);
    expect(result.clusters.every((c) => !c.isDataQualityCluster && c.reasons.length === 0)).toBe(true);
    expect(result.clusters[0]!.meanImputedFraction).toBeNull();
    // Fewer than 100 members: the 0.99 quantile rests on the two largest distances.
    expect(result.warnings).toEqual(['clusters 0, 1 have fewer than 100 members, so their 0.99 quantile rests on their largest distances']);
  });

  it('uses the requested quantile', () => {
    const distances = new Float64Array([1, 2, 3, 4, 5]);
    const result = computeOutlierThresholds(distances, new Int32Array(5), 1, { quantile: 0.5 });
    expect(result.clusters[0]!.distanceThreshold).toBe(3);
    expect(result.warnings).toEqual([]);
  });

  it('flags a planted tiny cluster and an empty one, and nothing in clean clusters', () => {
    // 300 rows: cluster 0 = rows 0–148, cluster 1 = rows 149–297, cluster 2 = rows 298–299 (0.67 % < 1 %),
    // cluster 3 empty.
    const labels = new Int32Array(300);
    labels.fill(1, 149);
    labels.fill(2, 298);
    const distances = new Float64Array(300).map((_, i) => (i % 17) / 4);

    const result = computeOutlierThresholds(distances, labels, 4);

    const [first, second, tiny, empty] = result.clusters;
    expect(first!.isDataQualityCluster).toBe(false);
    expect(second!.isDataQualityCluster).toBe(false);
    expect(tiny!.isTiny).toBe(true);
    expect(tiny!.isDataQualityCluster).toBe(true);
    expect(tiny!.reasons).toEqual([
      { code: 'tiny_cluster', message: 'cluster 2 holds 2 of 300 rows (0.667%), below the minimum share of 1%' },
    ]);
    expect(empty!.size).toBe(0);
    expect(empty!.distanceThreshold).toBeNull();
    expect(empty!.isTiny).toBe(true);
    expect(empty!.reasons.map((r) => r.code)).toEqual(['empty_cluster']);
  });

  it('does not flag a cluster holding exactly the minimum share', () => {
    const labels = new Int32Array(100);
    labels[0] = 1;
    const result = computeOutlierThresholds(new Float64Array(100), labels, 2);
    expect(result.clusters[1]!.share).toBe(0.01);
    expect(result.clusters[1]!.isTiny).toBe(false);
  });

  it('flags a cluster whose members are mostly imputed and not the others', () => {
    // Cluster 0: imputed shares 0, 0.2, 0.1 (mean 0.1); cluster 1: 0.9, 0.5, 0.7 (mean 0.7).
    const labels = new Int32Array([0, 0, 0, 1, 1, 1]);
    const imputedFractions = new Float64Array([0, 0.2, 0.1, 0.9, 0.5, 0.7]);

    const result = computeOutlierThresholds(new Float64Array(6).fill(1), labels, 2, { imputedFractions });

    expect(result.clusters[0]!.meanImputedFraction).toBeCloseTo(0.1, 15);
    expect(result.clusters[0]!.isImputationDominated).toBe(false);
    expect(result.clusters[1]!.meanImputedFraction).toBeCloseTo(0.7, 15);
    expect(result.clusters[1]!.isImputationDominated).toBe(true);
    expect(result.clusters[1]!.reasons).toEqual([
      { code: 'imputation_dominated', message: 'cluster 1 members have 70% of their features imputed on average, above 50%' },
    ]);
    expect(computeOutlierThresholds(new Float64Array(6), labels, 2, { imputedFractions, maxImputedShare: 0.75 }).clusters[1]!.isImputationDominated).toBe(
      false,
    );
  });

  it('leaves at most about (1 − q) of a cluster’s members above its threshold and never the smallest one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 3 }), fc.double({ min: 0, max: 100, noNaN: true })), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, quantile) => {
          const labels = Int32Array.from(rows, ([label]) => label);
          const distances = Float64Array.from(rows, ([, distance]) => distance);
          const result = computeOutlierThresholds(distances, labels, 4, { quantile });
          return result.clusters.every((cluster) => {
            if (cluster.size === 0) return cluster.distanceThreshold === null;
            const members = rows.filter(([label]) => label === cluster.cluster).map(([, distance]) => distance);
            const above = members.filter((distance) => distance > cluster.distanceThreshold!).length;
            // The threshold lies between order statistics ⌊(m − 1) q⌋ and the next, so at most the members after
            // position ⌊(m − 1) q⌋ exceed it, and the smallest never does.
            const m = cluster.size;
            return above <= m - 1 - Math.floor((m - 1) * quantile) && Math.min(...members) <= cluster.distanceThreshold!;
          });
        },
      ),
    );
  });

  it('rejects negative or non-finite distances, mismatched lengths and options outside [0, 1]', () => {
    const labels = new Int32Array([0, 1]);
    expectEngineError(() => computeOutlierThresholds(new Float64Array([1, -1]), labels, 2), 'invalid_option', /distance -1 at row 1 is negative/);
    expectEngineError(() => computeOutlierThresholds(new Float64Array([1, Number.NaN]), labels, 2), 'non_finite_value', /distance NaN at row 1/);
    expectEngineError(() => computeOutlierThresholds(new Float64Array([1, 2, 3]), labels, 2), 'shape_mismatch', /labels has 2 entries/);
    expectEngineError(() => computeOutlierThresholds(new Float64Array([1, 2]), labels, 2, { quantile: 99 }), 'invalid_option', /quantile = 99/);
    expectEngineError(
      () => computeOutlierThresholds(new Float64Array([1, 2]), labels, 2, { imputedFractions: new Float64Array([0, 2]) }),
      'invalid_option',
      /imputed fraction 2 at row 1/,
    );
  });
});
