import { describe, expect, it } from 'vitest';
import { choleskyLower, precisionCholeskyFromCovariance, precisionCholeskyFromPrecision } from '../../../src/engine/gmm/linalg.ts';

/** (A Bᵀ) for 3 × 3 row-major A and B. */
function timesTranspose(a: Float64Array, b: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(a[i * 3]! * b[j * 3]! + a[i * 3 + 1]! * b[j * 3 + 1]! + a[i * 3 + 2]! * b[j * 3 + 2]!);
  return out;
}

// A = L Lᵀ with L = [[2, 0, 0], [1, 3, 0], [−1, 2, 1]], worked by hand.
const spd = new Float64Array([4, 2, -2, 2, 10, 5, -2, 5, 6]);
const factor = [2, 0, 0, 1, 3, 0, -1, 2, 1];

describe('choleskyLower', () => {
  it('finds the lower factor of a symmetric positive-definite matrix and zeroes its upper triangle', () => {
    const out = new Float64Array(9).fill(Number.NaN);
    expect(choleskyLower(spd, 0, 3, 3, out, 0, 3)).toBe(true);
    expect(Array.from(out)).toEqual(factor);
  });

  it('factors in place and at an offset inside a larger buffer', () => {
    const buffer = new Float64Array(12);
    buffer.set(spd, 3);
    expect(choleskyLower(buffer, 3, 3, 3, buffer, 3, 3)).toBe(true);
    expect(Array.from(buffer.subarray(3))).toEqual(factor);
  });

  it('reports a matrix that is not positive definite', () => {
    expect(choleskyLower(new Float64Array([1, 2, 2, 1]), 0, 2, 2, new Float64Array(4), 0, 2)).toBe(false);
    expect(choleskyLower(new Float64Array([Number.NaN]), 0, 1, 1, new Float64Array(1), 0, 1)).toBe(false);
  });
});

describe('precisionCholeskyFromCovariance', () => {
  it('gives an upper-triangular U with U Uᵀ Σ = I', () => {
    const u = new Float64Array(9);
    expect(precisionCholeskyFromCovariance(spd, 0, 3, new Float64Array(9), u)).toBe(true);
    expect([u[3], u[6], u[7]]).toEqual([0, 0, 0]);
    const precision = Float64Array.from(timesTranspose(u, u));
    const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let value = 0;
        for (let p = 0; p < 3; p++) value += precision[i * 3 + p]! * spd[p * 3 + j]!;
        expect(value).toBeCloseTo(identity[i * 3 + j]!, 13);
      }
    }
  });
});

describe('precisionCholeskyFromPrecision', () => {
  it('gives an upper-triangular U with U Uᵀ equal to the given precision', () => {
    const u = new Float64Array(9);
    expect(precisionCholeskyFromPrecision(spd, 0, 3, new Float64Array(9), u)).toBe(true);
    expect([u[3], u[6], u[7]]).toEqual([0, 0, 0]);
    timesTranspose(u, u).forEach((value, i) => expect(value).toBeCloseTo(spd[i]!, 13));
  });

  it('reports a precision that is not positive definite', () => {
    expect(precisionCholeskyFromPrecision(new Float64Array([1, 2, 2, 1]), 0, 2, new Float64Array(4), new Float64Array(4))).toBe(false);
  });
});
