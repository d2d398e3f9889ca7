import { describe, expect, it } from 'vitest';
import { binOf, decileCutPoints, populationStabilityIndex } from '../../src/engine/index.ts';
import { expectEngineError } from './support/assertions.ts';

describe('decileCutPoints', () => {
  it('puts nine cut points at the deciles, interpolated as numpy does', () => {
    // 0…100: the q-th decile of 101 evenly spaced values is 10·q.
    const values = Float64Array.from({ length: 101 }, (_, i) => i);
    expect(Array.from(decileCutPoints(values))).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('merges repeated cut points of a tied feature and skips missing values', () => {
    // 70% zeros: the first seven deciles are 0 (at the minimum: no cut), then 1, 2, 3.
    const values = [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, Number.NaN];
    expect(Array.from(decileCutPoints(values))).toEqual([expect.closeTo(0.3, 12), expect.closeTo(1.2, 12), expect.closeTo(2.1, 12)]);
    expect(decileCutPoints([5, 5, 5]).length).toBe(0);
  });
});

describe('binOf', () => {
  it('counts the cut points at or below the value: a value on a cut point goes up', () => {
    const cuts = Float64Array.of(10, 20, 30);
    expect([-5, 10, 15, 20, 29.9, 30, 99].map((value) => binOf(cuts, value))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });
});

describe('populationStabilityIndex', () => {
  it('matches a value computed by hand', () => {
    // Expected 50/30/20, observed 40/40/20: (0.4−0.5)·ln(0.8) + (0.4−0.3)·ln(4/3) + 0 = 0.022314 + 0.028768.
    expect(populationStabilityIndex([0.5, 0.3, 0.2], [40, 40, 20])).toBeCloseTo(0.1 * Math.log(1.25) + 0.1 * Math.log(4 / 3), 12);
    expect(populationStabilityIndex([0.5, 0.3, 0.2], [40, 40, 20])).toBeCloseTo(0.051083, 6);
  });

  it('is zero for identical distributions and floors empty bins instead of going infinite', () => {
    expect(populationStabilityIndex([0.25, 0.75], [1, 3])).toBe(0);
    const psi = populationStabilityIndex([0.5, 0.5, 0], [0, 50, 50]);
    expect(psi).toBeCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 10);
  });

  it('rejects mismatched bins and empty observations', () => {
    expectEngineError(() => populationStabilityIndex([1], [1, 2]), 'shape_mismatch', /1 expected shares for 2 bins/);
    expectEngineError(() => populationStabilityIndex([0.5, 0.5], [0, 0]), 'too_few_rows', /no observations/);
  });
});
