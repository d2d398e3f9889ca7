/**
 * Door checks shared by the engine's public entry points. Internal: not re-exported from index.ts.
 * Each check throws EngineInputError with the offending numbers; none of them allocates per value.
 */
import { EngineInputError } from './errors.ts';
import type { DenseMatrix } from './matrix.ts';

/** Checks storage length, at least one row and one column, and that every value is finite. */
export function assertValidMatrix(m: DenseMatrix, name: string): void {
  const { rows, cols, data } = m;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new EngineInputError('shape_mismatch', `${name} has invalid shape ${rows} × ${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new EngineInputError(
      'shape_mismatch',
      `${name} stores ${data.length} values, expected ${rows} × ${cols} = ${rows * cols}`,
    );
  }
  if (rows < 1) throw new EngineInputError('too_few_rows', `${name} has no rows`);
  if (cols < 1) throw new EngineInputError('no_columns', `${name} has no columns`);
  assertFinite(m, name);
}

function assertFinite(m: DenseMatrix, name: string): void {
  const { data, cols } = m;
  for (let index = 0; index < data.length; index++) {
    const value = data[index]!;
    // value - value is NaN exactly for NaN and ±Infinity; one comparison per value keeps the scan cheap.
    if (value - value !== 0) {
      const row = Math.floor(index / cols);
      const column = index - row * cols;
      throw new EngineInputError(
        'non_finite_value',
        `${name} has a non-finite value (${value}) at row ${row}, column ${column}`,
      );
    }
  }
}

/** Checks 1 ≤ k ≤ n for an integer k. */
export function assertClusterCount(k: number, rows: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 1`);
  }
  if (k > rows) {
    throw new EngineInputError('too_few_rows', `k = ${k} exceeds the ${rows} rows`);
  }
}

/** Checks an integer option against an inclusive lower bound. */
export function assertIntegerOption(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new EngineInputError('invalid_option', `${name} = ${value} must be an integer ≥ ${min}`);
  }
}

/** Checks that labels has one entry per row and every entry lies in [0, k). */
export function assertLabels(labels: Int32Array, rows: number, k: number): void {
  if (labels.length !== rows) {
    throw new EngineInputError('shape_mismatch', `labels has ${labels.length} entries, expected one per row (${rows})`);
  }
  for (let i = 0; i < rows; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= k) {
      throw new EngineInputError('invalid_label', `label ${label} at row ${i} is outside [0, ${k})`);
    }
  }
}
