import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineInputError, adjustedRandIndex } from '../../src/engine/index.ts';
import fixture from '../fixtures/reference/kmeans_lloyd.json' with { type: 'json' };

describe('adjustedRandIndex', () => {
  it("matches scikit-learn's adjusted_rand_score between the two reference labellings to 1e-12", () => {
    const score = adjustedRandIndex(Int32Array.from(fixture.run_a.labels), Int32Array.from(fixture.run_b.labels));
    expect(Math.abs(score - fixture.adjusted_rand_score_a_vs_b)).toBeLessThanOrEqual(1e-12);
  });

  it('corrects the pair agreement for chance: 4/7 when one cluster of two is split', () => {
    // Pairs: tp = 2, fp = 2, fn = 0, tn = 8, so 2 (2·8 − 0) / ((2 + 0)(0 + 8) + (2 + 2)(2 + 8)) = 32 / 56.
    expect(adjustedRandIndex(Int32Array.from([0, 0, 1, 1]), Int32Array.from([0, 0, 1, 2]))).toBeCloseTo(4 / 7, 15);
  });

  it('is −0.5 for two crossing halvings of four rows', () => {
    expect(adjustedRandIndex(Int32Array.from([0, 0, 1, 1]), Int32Array.from([0, 1, 0, 1]))).toBe(-0.5);
  });

  it('is 1 for one cluster in both labellings and for empty labellings', () => {
    expect(adjustedRandIndex(Int32Array.from([3, 3, 3]), Int32Array.from([7, 7, 7]))).toBe(1);
    expect(adjustedRandIndex(new Int32Array(0), new Int32Array(0))).toBe(1);
  });

  it('is 1 for any renaming of the clusters, including negative labels', () => {
    fc.assert(
      fc.property(labelling, fc.integer({ min: -1000, max: 1000 }), (labels, offset) => {
        const renamed = labels.map((label) => (label * 7 + offset) | 0);
        return adjustedRandIndex(labels, renamed) === 1;
      }),
    );
  });

  it('is symmetric in its two arguments', () => {
    fc.assert(
      fc.property(pairOfLabellings, ([a, b]) => adjustedRandIndex(a, b) === adjustedRandIndex(b, a)),
    );
  });

  it('never exceeds 1', () => {
    fc.assert(fc.property(pairOfLabellings, ([a, b]) => adjustedRandIndex(a, b) <= 1));
  });

  it('rejects labellings of different lengths with both lengths', () => {
    const call = () => adjustedRandIndex(Int32Array.from([0, 1]), Int32Array.from([0, 1, 1]));
    expect(call).toThrow(EngineInputError);
    expect(call).toThrow(/2 and 3 entries/);
  });
});

const labelling = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }).map((labels) => Int32Array.from(labels));

const pairOfLabellings = fc
  .integer({ min: 0, max: 60 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
    ),
  )
  .map(([a, b]) => [Int32Array.from(a), Int32Array.from(b)] as const);
