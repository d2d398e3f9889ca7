import { describe, expect, it } from 'vitest';
import {
  balancedAccuracy,
  chiSquareIndependence,
  contingencyTable,
  createRandom,
  crossValidateProxyClassifier,
  fourFifthsRatio,
  mutualInformation,
  regularizedGammaQ,
  stratifiedFolds,
} from '../../src/engine/index.ts';

/** Code vectors whose cross-tabulation is `table` (rows × cols counts). */
function codesOf(table: number[][]): { a: Int32Array; b: Int32Array } {
  const a: number[] = [];
  const b: number[] = [];
  table.forEach((row, i) => row.forEach((count, j) => {
    for (let c = 0; c < count; c++) {
      a.push(i);
      b.push(j);
    }
  }));
  return { a: Int32Array.from(a), b: Int32Array.from(b) };
}

// Reference values computed offline with SciPy 1.17.1 (numpy 2.4):
//   t = [[30,10,5],[12,25,18],[8,15,40]]
//   scipy.stats.chi2_contingency(t, correction=False) → statistic 52.36796976568405, dof 4, p 1.155454826830725e-10
//   scipy.stats.contingency.association(t, method='cramer') → 0.4007966367954146
//   Bergsma's corrected V (2013, §3), worked by hand from SciPy's χ²: φ² = 52.36797 / 163 = 0.3212759,
//   φ̂² = φ² − (3−1)(3−1)/(163−1) = 0.2965845, r̂ = ĉ = 3 − (3−1)²/(163−1) = 2.9753086,
//   V̂ = √(φ̂² / (r̂ − 1)) = 0.3874866686317698
//   mutual information (nats) 0.15692491996135657, normalized by the mean entropy 0.1438535917844629
//   t2 = [[52,48],[47,53]] → statistic 0.5000500050005001, p 0.4794781512492884, V 0.05000250018751563
//   scipy.special.gammaincc(a, x) for the pairs below.
const TABLE = [
  [30, 10, 5],
  [12, 25, 18],
  [8, 15, 40],
];

describe('chiSquareIndependence', () => {
  it('matches scipy.stats.chi2_contingency and association(method="cramer")', () => {
    const { a, b } = codesOf(TABLE);
    const test = chiSquareIndependence(contingencyTable(a, 3, b, 3));
    expect(test.n).toBe(163);
    expect(test.statistic).toBeCloseTo(52.36796976568405, 10);
    expect(test.degreesOfFreedom).toBe(4);
    expect(test.pValue / 1.155454826830725e-10).toBeCloseTo(1, 8);
    expect(test.cramersV).toBeCloseTo(0.4007966367954146, 12);
    expect(test.cramersVCorrected).toBeCloseTo(0.3874866686317698, 12);
  });

  it('gives a large p-value and a small V for nearly independent counts', () => {
    const { a, b } = codesOf([
      [52, 48],
      [47, 53],
    ]);
    const test = chiSquareIndependence(contingencyTable(a, 2, b, 2));
    expect(test.statistic).toBeCloseTo(0.5000500050005001, 12);
    expect(test.pValue).toBeCloseTo(0.4794781512492884, 10);
    expect(test.cramersV).toBeCloseTo(0.05000250018751563, 12);
    expect(test.cramersVCorrected).toBe(0);
  });

  it('drops empty rows and columns, and skips missing codes', () => {
    const a = Int32Array.from([0, 0, 2, 2, -1]);
    const b = Int32Array.from([0, 0, 1, 1, 1]);
    const test = chiSquareIndependence(contingencyTable(a, 3, b, 3));
    expect(test.n).toBe(4);
    expect(test.degreesOfFreedom).toBe(1);
    expect(test.cramersV).toBeCloseTo(1, 12);
  });

  it('is degenerate (no test) with a single group', () => {
    const test = chiSquareIndependence(contingencyTable(Int32Array.from([0, 1, 2]), 3, Int32Array.from([0, 0, 0]), 1));
    expect(test).toMatchObject({ statistic: 0, degreesOfFreedom: 0, pValue: 1, cramersV: 0 });
  });
});

describe('regularizedGammaQ', () => {
  it.each([
    [0.5, 0.1, 0.6547208460185768],
    [1.5, 3.0, 0.11161022509471268],
    [4.0, 2.5, 0.7575761331330662],
    [10, 25, 0.0002214766382487835],
    [2, 0.01, 0.9999503320866597],
    [50, 40, 0.9296649333406051],
  ])('Q(%f, %f) matches scipy.special.gammaincc', (a, x, expected) => {
    expect(regularizedGammaQ(a, x) / expected).toBeCloseTo(1, 10);
  });
});

describe('mutualInformation', () => {
  it('matches the mutual information and its normalization by the mean entropy', () => {
    const { a, b } = codesOf(TABLE);
    const mi = mutualInformation(contingencyTable(a, 3, b, 3));
    expect(mi.mutualInformation).toBeCloseTo(0.15692491996135657, 12);
    expect(mi.normalized).toBeCloseTo(0.1438535917844629, 12);
  });

  it('is 1 when one variable determines the other', () => {
    const a = Int32Array.from([0, 1, 2, 0, 1, 2]);
    expect(mutualInformation(contingencyTable(a, 3, a, 3)).normalized).toBeCloseTo(1, 12);
  });
});

describe('balancedAccuracy', () => {
  it('averages the recall of each class present', () => {
    // Recalls: class 0 → 3/4, class 1 → 1/2, class 2 → 3/4; class 3 absent from the truth.
    const truth = Int32Array.from([0, 0, 0, 0, 1, 1, 2, 2, 2, 2]);
    const predicted = Int32Array.from([0, 0, 1, 0, 1, 0, 2, 2, 1, 2]);
    expect(balancedAccuracy(truth, predicted, 4)).toBeCloseTo((0.75 + 0.5 + 0.75) / 3, 12);
  });

  it('scores a constant prediction at one over the classes', () => {
    const truth = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(balancedAccuracy(truth, new Int32Array(10), 2)).toBe(0.5);
  });
});

describe('fourFifthsRatio', () => {
  it('is the lowest selection rate over the highest (hand-computed)', () => {
    // 30 of 100 women and 48 of 120 men selected: 0.30 / 0.40 = 0.75, under the four-fifths line.
    const result = fourFifthsRatio([30 / 100, 48 / 120]);
    expect(result.ratio).toBeCloseTo(0.75, 12);
    expect(result).toMatchObject({ lowest: 0, highest: 1 });
  });

  it('skips groups without a rate and answers 1 when nobody is selected', () => {
    expect(fourFifthsRatio([Number.NaN, 0.2, 0.25]).ratio).toBeCloseTo(0.8, 12);
    expect(fourFifthsRatio([0, 0]).ratio).toBe(1);
  });
});

describe('stratifiedFolds', () => {
  it('keeps each class balanced across folds and is reproducible by seed', () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 80 ? 0 : 1));
    const folds = stratifiedFolds(labels, 2, 5, 7);
    for (let f = 0; f < 5; f++) {
      const ones = labels.filter((label, i) => label === 1 && folds[i] === f).length;
      expect(ones === 4 || ones === 5).toBe(true);
    }
    expect(stratifiedFolds(labels, 2, 5, 7)).toEqual(folds);
  });
});

describe('crossValidateProxyClassifier', () => {
  function dataset(n: number, signal: number, seed: number) {
    const random = createRandom(seed);
    const labels = new Int32Array(n);
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      labels[i] = random.nextFloat() < 0.3 ? 1 : 0;
      data[i * 2] = random.nextGaussian() + signal * labels[i]!;
      data[i * 2 + 1] = random.nextGaussian();
    }
    return { x: { data, rows: n, cols: 2 }, labels };
  }

  it('finds a feature that predicts the group', () => {
    const { x, labels } = dataset(1500, 3, 1);
    const result = crossValidateProxyClassifier(x, labels, 2, { seed: 3 });
    expect(result.baseline).toBe(0.5);
    expect(result.balancedAccuracy).toBeGreaterThan(0.9);
  });

  it('stays near the baseline when the features are independent of the group (minority included)', () => {
    const { x, labels } = dataset(1500, 0, 2);
    const result = crossValidateProxyClassifier(x, labels, 2, { seed: 3 });
    expect(Math.abs(result.balancedAccuracy - 0.5)).toBeLessThan(0.06);
  });
});
