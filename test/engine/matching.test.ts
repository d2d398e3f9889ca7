import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Assignment, DenseMatrix } from '../../src/engine/index.ts';
import { fromRows, matchWithBound, solveAssignment } from '../../src/engine/index.ts';
import { expectEngineError } from './support/assertions.ts';

describe('solveAssignment', () => {
  it('finds the minimum-cost assignment of a hand-worked 3 × 3 matrix', () => {
    // Row minima clash (rows 0 and 1 both prefer column 1). The six permutations, as column of rows 0, 1, 2:
    // (0,1,2) 4+0+2 = 6, (0,2,1) 4+5+2 = 11, (1,0,2) 1+2+2 = 5, (1,2,0) 1+5+3 = 9, (2,0,1) 3+2+2 = 7,
    // (2,1,0) 3+0+3 = 6; the optimum is (1,0,2) at 5.
    const cost = fromRows([
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ]);
    const result = solveAssignment(cost);
    expect(Array.from(result.rowToColumn)).toEqual([1, 0, 2]);
    expect(Array.from(result.columnToRow)).toEqual([1, 0, 2]);
    expect(result.totalCost).toBe(5);
    expect(result.matchedCount).toBe(3);
  });

  it('matches every row of a wide matrix and leaves the extra columns unmatched', () => {
    // Row 0 prefers column 2 (cost 1), row 1 column 0 (cost 1); column 1 is left over (a new persona).
    const cost = fromRows([
      [5, 4, 1],
      [1, 3, 6],
    ]);
    const result = solveAssignment(cost);
    expect(Array.from(result.rowToColumn)).toEqual([2, 0]);
    expect(Array.from(result.columnToRow)).toEqual([1, -1, 0]);
    expect(result.totalCost).toBe(2);
    expect(result.matchedCount).toBe(2);
  });

  it('matches every column of a tall matrix and leaves the extra rows unmatched', () => {
    // The transpose of the previous case: row 1 (a vanished persona) stays unmatched.
    const cost = fromRows([
      [5, 1],
      [4, 3],
      [1, 6],
    ]);
    const result = solveAssignment(cost);
    expect(Array.from(result.rowToColumn)).toEqual([1, -1, 0]);
    expect(Array.from(result.columnToRow)).toEqual([2, 0]);
    expect(result.totalCost).toBe(2);
  });

  it('handles negative costs and a single cell', () => {
    expect(solveAssignment(fromRows([[-3]])).totalCost).toBe(-3);
    const result = solveAssignment(fromRows([
      [-1, -5],
      [-4, -1],
    ]));
    expect(Array.from(result.rowToColumn)).toEqual([1, 0]);
    expect(result.totalCost).toBe(-9);
  });

  it('reaches the brute-force optimum over all one-to-one maps on small random matrices', () => {
    fc.assert(
      fc.property(costMatrix, (cost) => {
        const result = solveAssignment(cost);
        expect(isConsistent(result, cost)).toBe(true);
        expect(result.matchedCount).toBe(Math.min(cost.rows, cost.cols));
        expect(result.totalCost).toBeCloseTo(bruteForce(cost, Number.POSITIVE_INFINITY).objective, 9);
      }),
    );
  });

  it('rejects a cost matrix with a non-finite value or without columns', () => {
    expectEngineError(() => solveAssignment(fromRows([[1, Number.NaN]])), 'non_finite_value', /row 0, column 1/);
    expectEngineError(() => solveAssignment({ data: new Float64Array(0), rows: 2, cols: 0 }), 'no_columns', /no columns/);
  });
});

describe('matchWithBound', () => {
  it('leaves a vanished row and a new column unmatched instead of pairing them above the bound', () => {
    // Rows 0 and 1 have close counterparts (columns 1 and 0); row 2 and column 2 only cost 9 to pair,
    // above the bound 5, so the old persona 2 vanished and the new persona 2 is new.
    const cost = fromRows([
      [7, 1, 9],
      [2, 8, 9],
      [9, 9, 9],
    ]);
    const result = matchWithBound(cost, 5);
    expect(Array.from(result.rowToColumn)).toEqual([1, 0, -1]);
    expect(Array.from(result.columnToRow)).toEqual([1, 0, -1]);
    expect(result.totalCost).toBe(3);
    expect(result.matchedCount).toBe(2);
  });

  it('prefers one match far below the bound to two matches just under it (largest total slack)', () => {
    // Pairs (0,0) and (1,1) cost 4 each: slack 1 + 1 under the bound 5. Pair (0,1) costs 0 (slack 5) but
    // leaves row 1 and column 0, whose pair costs 9 > 5, unmatched. Total slack 5 > 2: (0,1) alone.
    const cost = fromRows([
      [4, 0],
      [9, 4],
    ]);
    const result = matchWithBound(cost, 5);
    expect(Array.from(result.rowToColumn)).toEqual([1, -1]);
    expect(result.totalCost).toBe(0);
  });

  it('equals solveAssignment when the bound is infinite', () => {
    const cost = fromRows([
      [4, 1, 3],
      [2, 0, 5],
    ]);
    const bounded = matchWithBound(cost, Number.POSITIVE_INFINITY);
    const plain = solveAssignment(cost);
    expect(Array.from(bounded.rowToColumn)).toEqual(Array.from(plain.rowToColumn));
    expect(bounded.totalCost).toBe(plain.totalCost);
  });

  it('reaches the brute-force optimum over partial matchings and never matches a pair above the bound', () => {
    fc.assert(
      fc.property(costMatrix, fc.double({ min: -1, max: 10, noNaN: true }), (cost, maxCost) => {
        const result = matchWithBound(cost, maxCost);
        expect(isConsistent(result, cost)).toBe(true);
        for (let i = 0; i < cost.rows; i++) {
          const j = result.rowToColumn[i]!;
          if (j >= 0) expect(cost.data[i * cost.cols + j]!).toBeLessThanOrEqual(maxCost);
        }
        let objective = 0;
        for (let i = 0; i < cost.rows; i++) {
          const j = result.rowToColumn[i]!;
          if (j >= 0) objective += cost.data[i * cost.cols + j]! - maxCost;
        }
        expect(objective).toBeCloseTo(bruteForce(cost, maxCost).objective, 9);
      }),
    );
  });

  it('rejects a NaN bound', () => {
    expectEngineError(() => matchWithBound(fromRows([[1]]), Number.NaN), 'invalid_option', /maxCost = NaN/);
  });
});

/** rowToColumn and columnToRow are inverse partial maps and totalCost / matchedCount agree with them. */
function isConsistent(result: Assignment, cost: DenseMatrix): boolean {
  let total = 0;
  let count = 0;
  for (let i = 0; i < cost.rows; i++) {
    const j = result.rowToColumn[i]!;
    if (j < 0) continue;
    if (result.columnToRow[j] !== i) return false;
    total += cost.data[i * cost.cols + j]!;
    count++;
  }
  for (let j = 0; j < cost.cols; j++) {
    const i = result.columnToRow[j]!;
    if (i >= 0 && result.rowToColumn[i] !== j) return false;
  }
  return count === result.matchedCount && Math.abs(total - result.totalCost) < 1e-9;
}

/**
 * Exhaustive search over partial one-to-one maps. With an infinite bound every row of the smaller side
 * must be matched and the objective is the total cost; with a finite bound only pairs ≤ bound may match
 * and the objective is Σ (cost − bound) over the matched pairs.
 */
function bruteForce(cost: DenseMatrix, bound: number): { objective: number } {
  const isBounded = Number.isFinite(bound);
  const required = isBounded ? 0 : Math.min(cost.rows, cost.cols);
  const usedColumns = new Array<boolean>(cost.cols).fill(false);
  let best = Number.POSITIVE_INFINITY;
  const visit = (row: number, matched: number, objective: number): void => {
    if (row === cost.rows) {
      if (matched >= required && objective < best) best = objective;
      return;
    }
    if (cost.rows - row + matched > required || isBounded) visit(row + 1, matched, objective);
    for (let j = 0; j < cost.cols; j++) {
      const value = cost.data[row * cost.cols + j]!;
      if (usedColumns[j] || (isBounded && value > bound)) continue;
      usedColumns[j] = true;
      visit(row + 1, matched + 1, objective + (isBounded ? value - bound : value));
      usedColumns[j] = false;
    }
  };
  visit(0, 0, 0);
  return { objective: best };
}

/** Matrices of 1–5 rows and 1–5 columns with costs in [0, 10], rounded to 0.5 so ties occur. */
const costMatrix = fc
  .record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 5 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(fc.integer({ min: 0, max: 20 }), { minLength: rows * cols, maxLength: rows * cols })
      .map((values): DenseMatrix => ({ data: Float64Array.from(values, (v) => v / 2), rows, cols })),
  );
