/**
 * Dense row-major matrices: feature j of row i is data[i * cols + j].
 * Centres, means and samples all use this layout so kernels index flat storage with arithmetic.
 */
export interface DenseMatrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Wraps existing storage (no copy). Throws when the length does not match rows × cols. */
export function denseMatrix(data: Float64Array, rows: number, cols: number): DenseMatrix {
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix storage has ${data.length} values, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  return { data, rows, cols };
}

/** Copies row-of-arrays input into a dense matrix (for tests, fixtures and small inputs). */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): DenseMatrix {
  const n = rows.length;
  const d = n === 0 ? 0 : rows[0]!.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} values, expected ${d}`);
    for (let j = 0; j < d; j++) data[i * d + j] = row[j]!;
  }
  return { data, rows: n, cols: d };
}

/** Row i as a new plain array (for output and tests, not for hot loops). */
export function rowToArray(m: DenseMatrix, i: number): number[] {
  return Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
}

/** ‖a[offsetA…] − b[offsetB…]‖² over d values (engine-internal helper, not on a hot path). */
export function squaredDistance(a: Float64Array, offsetA: number, b: Float64Array, offsetB: number, d: number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const diff = a[offsetA + j]! - b[offsetB + j]!;
    sum += diff * diff;
  }
  return sum;
}
