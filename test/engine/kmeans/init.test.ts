import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '../../../src/engine/index.ts';
import { EngineInputError, createRandom, fromRows, kmeansPlusPlus, rowToArray } from '../../../src/engine/index.ts';
import { localTrialCount } from '../../../src/engine/kmeans/init.ts';
import { isBitIdentical } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

describe('kmeansPlusPlus', () => {
  it('returns k × d centres, each a copy of a row of x', () => {
    fc.assert(
      fc.property(gridData, fc.nat({ max: 30 }), fc.nat(), (x, kSeed, seed) => {
        const k = 1 + (kSeed % x.rows);
        const centers = kmeansPlusPlus(x, k, createRandom(seed));
        expect(centers.rows).toBe(k);
        expect(centers.cols).toBe(x.cols);
        const rows = new Set(Array.from({ length: x.rows }, (_, i) => rowToArray(x, i).join(',')));
        for (let c = 0; c < k; c++) expect(rows.has(rowToArray(centers, c).join(','))).toBe(true);
      }),
    );
  });

  it('never picks the same row twice while x has at least k distinct rows', () => {
    // A row already chosen has D(x)² = 0, so it has probability 0 of being drawn again.
    fc.assert(
      fc.property(gridData, fc.nat({ max: 30 }), fc.nat(), (x, kSeed, seed) => {
        const distinctRows = new Set(Array.from({ length: x.rows }, (_, i) => rowToArray(x, i).join(','))).size;
        const k = 1 + (kSeed % distinctRows);
        const centers = kmeansPlusPlus(x, k, createRandom(seed));
        const picked = new Set(Array.from({ length: k }, (_, c) => rowToArray(centers, c).join(',')));
        return picked.size === k;
      }),
    );
  });

  it('the same seed picks the same rows', () => {
    fc.assert(
      fc.property(gridData, fc.nat(), (x, seed) => {
        const k = Math.min(3, x.rows);
        return isBitIdentical(kmeansPlusPlus(x, k, createRandom(seed)).data, kmeansPlusPlus(x, k, createRandom(seed)).data);
      }),
    );
  });

  it('puts one centre in each of k far-apart blobs', () => {
    const k = 6;
    const { x, truth } = makeBlobs({ n: 600, d: 3, k, seed: 4, centerSpread: 50, noise: 0.5 });
    for (const seed of [0, 1, 2, 3, 4]) {
      const centers = kmeansPlusPlus(x, k, createRandom(seed));
      const blobs = new Set<number>();
      for (let c = 0; c < k; c++) {
        const row = rowIndexOf(x, rowToArray(centers, c));
        blobs.add(truth[row]!);
      }
      expect(blobs.size).toBe(k);
    }
  });

  it('draws 2 + ⌊ln k⌋ candidates per step, as scikit-learn', () => {
    expect([1, 2, 3, 7, 8, 20, 21, 55].map(localTrialCount)).toEqual([2, 2, 3, 3, 4, 4, 5, 6]);
  });

  it('rejects k above the number of rows with the clashing numbers', () => {
    const x = fromRows([[0], [1], [2]]);
    expect(() => kmeansPlusPlus(x, 4, createRandom(0))).toThrow(EngineInputError);
    expect(() => kmeansPlusPlus(x, 4, createRandom(0))).toThrow(/k = 4 exceeds the 3 rows/);
  });
});

function rowIndexOf(x: DenseMatrix, row: number[]): number {
  for (let i = 0; i < x.rows; i++) if (rowToArray(x, i).every((value, j) => value === row[j])) return i;
  return -1;
}

/** Up to 30 rows of 1–3 columns on a small integer grid: duplicates are common. */
const gridData = fc
  .record({ n: fc.integer({ min: 1, max: 30 }), d: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, d }) =>
    fc
      .array(fc.integer({ min: -4, max: 4 }), { minLength: n * d, maxLength: n * d })
      .map((values): DenseMatrix => ({ data: Float64Array.from(values), rows: n, cols: d })),
  );
