import { describe, expect, it } from 'vitest';
import { countParameters, normalizeRow } from '../../../src/engine/gmm/model.ts';

describe('countParameters', () => {
  it('counts k·d means, the covariance entries and k − 1 free weights, as scikit-learn', () => {
    expect(countParameters('diag', 3, 2)).toBe(3 * 2 + 3 * 2 + 2);
    expect(countParameters('full', 3, 2)).toBe(3 * 3 + 3 * 2 + 2);
    expect(countParameters('full', 8, 12)).toBe(8 * 78 + 8 * 12 + 7);
  });
});

describe('normalizeRow', () => {
  it('turns log densities into responsibilities and returns their log-sum-exp without overflow or underflow', () => {
    const logProb = new Float64Array([-1000, -1000 + Math.log(3), -5000]);
    const logSum = normalizeRow(logProb, 3, -1000 + Math.log(3));
    expect(logSum).toBeCloseTo(-1000 + Math.log(4), 12);
    expect(logProb[0]).toBeCloseTo(0.25, 12);
    expect(logProb[1]).toBeCloseTo(0.75, 12);
    expect(logProb[2]).toBe(0);
  });
});
