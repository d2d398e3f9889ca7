/**
 * Matching personas across model versions: a minimum-cost assignment between the m personas of one
 * version (rows) and the n of another (columns), given any cost per pair (e.g. distance between centres,
 * 1 − Jaccard overlap of members).
 *
 * solveAssignment minimises Σ cost[i, σ(i)] over the one-to-one maps σ that match min(m, n) pairs (every
 * row when m ≤ n, every column otherwise): the Hungarian algorithm (Kuhn 1955, Munkres 1957) in its
 * shortest-augmenting-path form with row and column potentials (Jonker & Volgenant 1987; the O(m² n)
 * formulation of e.g. Burkard, Dell'Amico & Martello, Assignment Problems, 2009, §4.4). Rows are added
 * one at a time; each addition runs a Dijkstra-like search over reduced costs c_ij − u_i − v_j ≥ 0 and
 * flips the augmenting path. A rectangular matrix is solved on the side with fewer lines (transposing
 * when m > n), so the cost is O(min(m, n)² · max(m, n)) time and O(m + n) extra memory.
 *
 * matchWithBound adds "no match": a persona matched only to something costing more than maxCost is
 * better called new (or vanished). It minimises Σ_{matched} (cost_ij − maxCost) over partial one-to-one
 * maps that use only pairs with cost ≤ maxCost, i.e. the matched cost plus maxCost / 2 for every
 * unmatched row and every unmatched column. It solves the assignment on min(cost − maxCost, 0) — a pair
 * above the bound is worth as little as no pair — and drops the pairs above the bound. A pair at exactly
 * maxCost gains nothing and may be left unmatched.
 *
 * Notation: m rows, n columns. References: Kuhn, "The Hungarian method for the assignment problem",
 * Naval Research Logistics Quarterly 2, 1955; Munkres, "Algorithms for the assignment and transportation
 * problems", J. SIAM 5, 1957; Jonker & Volgenant, "A shortest augmenting path algorithm for dense and
 * sparse linear assignment problems", Computing 38, 1987.
 */
import { EngineInputError } from './errors.ts';
import type { DenseMatrix } from './matrix.ts';
import { assertValidMatrix } from './validate.ts';

/** A (partial) one-to-one matching between the rows and the columns of a cost matrix. */
export interface Assignment {
  /** m entries: the column matched to each row, −1 when the row is unmatched. */
  readonly rowToColumn: Int32Array;
  /** n entries: the row matched to each column, −1 when the column is unmatched. */
  readonly columnToRow: Int32Array;
  /** Σ cost over the matched pairs. */
  readonly totalCost: number;
  /** Number of matched pairs. */
  readonly matchedCount: number;
}

/**
 * Minimum-cost assignment (Hungarian algorithm) of min(m, n) pairs.
 *
 * @param cost - m × n finite costs, row-major (rows: e.g. the old version's personas; columns: the new).
 * @returns rowToColumn (m), columnToRow (n), total cost and pair count; with m ≠ n, |m − n| lines stay unmatched.
 * @throws EngineInputError `shape_mismatch`, `too_few_rows`, `no_columns`, `non_finite_value`.
 */
export function solveAssignment(cost: DenseMatrix): Assignment {
  assertValidMatrix(cost, 'cost');
  return assign(cost.data, cost.rows, cost.cols);
}

/**
 * Minimum-cost matching that leaves a row or column unmatched rather than pair it above maxCost.
 *
 * @param cost - m × n finite costs, row-major.
 * @param maxCost - the largest cost of a matched pair; +Infinity gives solveAssignment.
 * @returns rowToColumn (m) and columnToRow (n) with −1 for the unmatched (vanished rows, new columns),
 *   the matched pairs' total cost and count.
 * @throws EngineInputError as solveAssignment, and `invalid_option` when maxCost is NaN or −Infinity.
 */
export function matchWithBound(cost: DenseMatrix, maxCost: number): Assignment {
  assertValidMatrix(cost, 'cost');
  if (Number.isNaN(maxCost) || maxCost === Number.NEGATIVE_INFINITY) {
    throw new EngineInputError('invalid_option', `maxCost = ${maxCost} must be a number or +Infinity`);
  }
  const { data, rows, cols } = cost;
  if (maxCost === Number.POSITIVE_INFINITY) return assign(data, rows, cols);
  const gated = new Float64Array(data.length);
  for (let index = 0; index < data.length; index++) gated[index] = Math.min(data[index]! - maxCost, 0);
  const solved = assign(gated, rows, cols);
  const rowToColumn = solved.rowToColumn;
  const columnToRow = solved.columnToRow;
  let totalCost = 0;
  let matchedCount = 0;
  for (let i = 0; i < rows; i++) {
    const j = rowToColumn[i]!;
    if (j < 0) continue;
    const pairCost = data[i * cols + j]!;
    if (pairCost > maxCost) {
      rowToColumn[i] = -1;
      columnToRow[j] = -1;
    } else {
      totalCost += pairCost;
      matchedCount++;
    }
  }
  return { rowToColumn, columnToRow, totalCost, matchedCount };
}

/** Solves on the side with fewer lines and maps the answer back. */
function assign(data: Float64Array, rows: number, cols: number): Assignment {
  const rowToColumn = new Int32Array(rows).fill(-1);
  const columnToRow = new Int32Array(cols).fill(-1);
  if (rows <= cols) {
    hungarian(data, rows, cols, false, rowToColumn);
    for (let i = 0; i < rows; i++) columnToRow[rowToColumn[i]!] = i;
  } else {
    hungarian(data, cols, rows, true, columnToRow);
    for (let j = 0; j < cols; j++) rowToColumn[columnToRow[j]!] = j;
  }
  let totalCost = 0;
  for (let i = 0; i < rows; i++) if (rowToColumn[i]! >= 0) totalCost += data[i * cols + rowToColumn[i]!]!;
  return { rowToColumn, columnToRow, totalCost, matchedCount: Math.min(rows, cols) };
}

/**
 * Shortest-augmenting-path Hungarian algorithm for a lines × targets problem with lines ≤ targets.
 * cost(line, target) is data[line * targets + target], or data[target * lines + line] when transposed.
 * Writes each line's target into `out` (OUT, `lines` entries). Indices inside are 1-based, with target 0
 * a virtual start column, as in the classical formulation.
 */
function hungarian(data: Float64Array, lines: number, targets: number, isTransposed: boolean, out: Int32Array): void {
  const u = new Float64Array(lines + 1);
  const v = new Float64Array(targets + 1);
  const lineOfTarget = new Int32Array(targets + 1);
  const way = new Int32Array(targets + 1);
  const minReduced = new Float64Array(targets + 1);
  const isVisited = new Uint8Array(targets + 1);
  const stride = isTransposed ? lines : targets;
  for (let line = 1; line <= lines; line++) {
    lineOfTarget[0] = line;
    let target0 = 0;
    minReduced.fill(Number.POSITIVE_INFINITY);
    isVisited.fill(0);
    // Grow the alternating tree from the new line until it reaches a free target.
    do {
      isVisited[target0] = 1;
      const line0 = lineOfTarget[target0]!;
      let delta = Number.POSITIVE_INFINITY;
      let target1 = 0;
      for (let target = 1; target <= targets; target++) {
        if (isVisited[target] === 1) continue;
        const c = isTransposed ? data[(target - 1) * stride + (line0 - 1)]! : data[(line0 - 1) * stride + (target - 1)]!;
        const reduced = c - u[line0]! - v[target]!;
        if (reduced < minReduced[target]!) {
          minReduced[target] = reduced;
          way[target] = target0;
        }
        if (minReduced[target]! < delta) {
          delta = minReduced[target]!;
          target1 = target;
        }
      }
      for (let target = 0; target <= targets; target++) {
        if (isVisited[target] === 1) {
          u[lineOfTarget[target]!]! += delta;
          v[target]! -= delta;
        } else {
          minReduced[target]! -= delta;
        }
      }
      target0 = target1;
    } while (lineOfTarget[target0] !== 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const target1 = way[target0]!;
      lineOfTarget[target0] = lineOfTarget[target1]!;
      target0 = target1;
    } while (target0 !== 0);
  }
  for (let target = 1; target <= targets; target++) {
    const line = lineOfTarget[target]!;
    if (line !== 0) out[line - 1] = target - 1;
  }
}
