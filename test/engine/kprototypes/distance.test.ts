import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distancesToPrototypes, nearestPrototype, squaredDistanceNumpyOrder } from '../../../src/engine/kprototypes/distance.ts';

// One value of 1 followed by many 2^-27, whose squares (2^-54) vanish one by one against 1 when added in
// sequence but not when numpy first adds them among themselves.
const tinyAfterOne = (count: number) => Float64Array.from([1, ...Array.from({ length: count }, () => 2 ** -27)]);

describe('squaredDistanceNumpyOrder', () => {
  it('sums in numpy’s pairwise order: the values np.sum((c - x) ** 2, axis=1) gives (numpy 2.4, same loops as 1.24)', () => {
    const zeros = new Float64Array(201);

    expect(squaredDistanceNumpyOrder(tinyAfterOne(8), 0, zeros, 0, 9)).toBe(1.0000000000000002);
    expect(squaredDistanceNumpyOrder(tinyAfterOne(200), 0, zeros, 0, 201)).toBe(1.0000000000000104);
    // Below 8 columns numpy adds in sequence, and so do we: every 2^-54 is lost.
    expect(squaredDistanceNumpyOrder(tinyAfterOne(6), 0, zeros, 0, 7)).toBe(1);
  });
});

describe('distancesToPrototypes and nearestPrototype', () => {
  it('give squared distance in numpy’s order plus gamma per mismatch, for any number of numeric columns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 140 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (p, q, k, gamma, salt) => {
          const row = Float64Array.from({ length: p }, (_, j) => ((j * 7919 + salt) % 1000) / 997);
          const codes = Int32Array.from({ length: q }, (_, j) => (j + salt) % 3);
          const centroids = Float64Array.from({ length: k * p }, (_, t) => ((t * 104729 + salt) % 1000) / 991);
          const modes = Int32Array.from({ length: k * q }, (_, t) => (t * 5 + salt) % 3);
          const distances = new Float64Array(k);
          distancesToPrototypes(row, 0, codes, 0, centroids, modes, p, q, 0, k, gamma, distances);

          for (let c = 0; c < k; c++) {
            let mismatches = 0;
            for (let j = 0; j < q; j++) if (modes[c * q + j] !== codes[j]) mismatches++;
            expect(distances[c]).toBe(squaredDistanceNumpyOrder(centroids, c * p, row, 0, p) + gamma * mismatches);
          }
          const scratch = new Float64Array(k);
          const best = nearestPrototype(row, 0, codes, 0, centroids, modes, p, q, k, gamma, scratch);
          expect(best).toBe(distances.indexOf(Math.min(...distances)));
        },
      ),
    );
  });
});
