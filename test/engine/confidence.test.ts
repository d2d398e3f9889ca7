import { describe, expect, it } from 'vitest';
import {
  createRandom,
  entropy,
  entropyOfSoftmax,
  expectedCalibrationError,
  expectedEntropy,
  fitTemperature,
  meanNegativeLogLikelihood,
  softmaxOfCosts,
  STANDARD_NORMAL_NODES,
  STANDARD_NORMAL_WEIGHTS,
} from '../../src/engine/index.ts';
import { expectEngineError } from './support/assertions.ts';

describe('softmaxOfCosts', () => {
  it('gives the lowest cost the highest probability, and the probabilities sum to 1', () => {
    const p = softmaxOfCosts([4, 1, 9], 2);
    expect(p[1]).toBeGreaterThan(p[0]!);
    expect(p[0]).toBeGreaterThan(p[2]!);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('is the logistic function of the cost difference for two personas', () => {
    const [near] = softmaxOfCosts([1.5, 3.5], 0.8);
    expect(near).toBeCloseTo(1 / (1 + Math.exp(-(3.5 - 1.5) / 0.8)), 14);
  });

  it('does not change when every cost moves by the same amount, and does not overflow on large costs', () => {
    const shifted = softmaxOfCosts([1e6 + 2, 1e6, 1e6 + 5], 1);
    expect(Array.from(shifted)).toEqual(Array.from(softmaxOfCosts([2, 0, 5], 1)).map((p) => expect.closeTo(p, 14)));
  });

  it('sharpens towards the nearest persona as the temperature falls', () => {
    expect(softmaxOfCosts([1, 2], 0.01)[0]).toBeGreaterThan(0.999);
    expect(softmaxOfCosts([1, 2], 1000)[0]).toBeCloseTo(0.5, 3);
  });

  it('rejects a temperature that is not positive', () => {
    expectEngineError(() => softmaxOfCosts([1, 2], 0), 'invalid_option', /temperature/);
  });
});

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    // Labels drawn from softmax(−costs / 2.5): the NLL minimum is near 2.5.
    const random = createRandom(7);
    const n = 20_000;
    const k = 4;
    const data = new Float64Array(n * k);
    const truth = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) data[i * k + c] = random.nextFloat() * 10;
      const p = softmaxOfCosts(data.subarray(i * k, (i + 1) * k), 2.5);
      let u = random.nextFloat();
      let label = 0;
      while (label < k - 1 && u > p[label]!) u -= p[label++]!;
      truth[i] = label;
    }
    const fit = fitTemperature({ data, rows: n, cols: k }, truth);
    expect(fit.temperature).toBeGreaterThan(2.5 * 0.93);
    expect(fit.temperature).toBeLessThan(2.5 / 0.93);
    const costs = { data, rows: n, cols: k };
    expect(fit.meanNegativeLogLikelihood).toBeLessThan(meanNegativeLogLikelihood(costs, truth, fit.temperature * 1.5));
    expect(fit.meanNegativeLogLikelihood).toBeLessThan(meanNegativeLogLikelihood(costs, truth, fit.temperature / 1.5));
  });

  it('rejects labels outside the cost columns and mismatched lengths', () => {
    const costs = { data: Float64Array.of(1, 2), rows: 1, cols: 2 };
    expectEngineError(() => fitTemperature(costs, Int32Array.of(2)), 'invalid_label', /label 2/);
    expectEngineError(() => fitTemperature(costs, Int32Array.of(0, 1)), 'shape_mismatch', /2 labels for 1 rows/);
  });
});

describe('expectedCalibrationError', () => {
  it('weighs each bin’s gap between accuracy and confidence by its share of rows', () => {
    // Bin (0.8, 0.9]: four rows at 0.9 with 3 right (gap 0.15); bin (0.1, 0.2]: one row at 0.2, wrong (gap 0.2).
    const { error, bins } = expectedCalibrationError([0.9, 0.9, 0.9, 0.9, 0.2], [1, 1, 1, 0, 0]);
    expect(error).toBeCloseTo((4 / 5) * 0.15 + (1 / 5) * 0.2, 12);
    expect(bins.map((bin) => [bin.count, bin.accuracy])).toEqual([
      [1, 0],
      [4, 0.75],
    ]);
  });

  it('is zero for perfectly calibrated confidences', () => {
    expect(expectedCalibrationError([1, 1, 0.5, 0.5], [1, 1, 1, 0]).error).toBeCloseTo(0, 14);
  });
});

describe('entropy and expectedEntropy', () => {
  it('measures uncertainty in bits', () => {
    expect(entropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(2, 14);
    expect(entropy([1, 0, 0])).toBe(0);
  });

  it('computes the entropy of a softmax without forming it, equal to the entropy of the probabilities', () => {
    for (const [costs, temperature] of [
      [[1, 2, 3], 1],
      [[0.5, 0.5], 0.1],
      [[1e6, 1e6 + 1, 1e6 + 40], 0.7],
    ] as const) {
      expect(entropyOfSoftmax(costs, temperature)).toBeCloseTo(entropy(softmaxOfCosts(costs, temperature)), 12);
    }
    expect(entropyOfSoftmax([0.5, 0.5], 0.1)).toBeCloseTo(1, 14);
  });

  it('averages the entropy after each answer by the answer’s probability', () => {
    expect(expectedEntropy([1, 3], [Float64Array.of(1, 0), Float64Array.of(0.5, 0.5)])).toBeCloseTo(0.75, 14);
    expectEngineError(() => expectedEntropy([0], [Float64Array.of(1)]), 'too_few_rows', /positive weight/);
  });
});

describe('three-point Gauss–Hermite rule for the standard normal', () => {
  it('integrates the normal’s moments up to degree 5 exactly', () => {
    const moment = (power: number) => STANDARD_NORMAL_NODES.reduce((sum, z, i) => sum + STANDARD_NORMAL_WEIGHTS[i]! * z ** power, 0);
    expect(moment(0)).toBeCloseTo(1, 14);
    expect(moment(1)).toBeCloseTo(0, 14);
    expect(moment(2)).toBeCloseTo(1, 13);
    expect(moment(3)).toBeCloseTo(0, 13);
    expect(moment(4)).toBeCloseTo(3, 12);
    expect(moment(5)).toBeCloseTo(0, 12);
    // Degree 6 is beyond the rule: E[Z⁶] = 15.
    expect(moment(6)).not.toBeCloseTo(15, 1);
  });
});
