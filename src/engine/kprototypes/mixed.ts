/**
 * Mixed-type data for k-prototypes and k-modes: a dense numeric part and a categorical part held as
 * integer codes, both row-major with the same rows, plus the door checks and the default gamma.
 *
 * Notation: n rows, p numeric columns, q categorical columns; column j of the categorical part has
 * cardinality m_j and its codes are 0 … m_j − 1 (the caller encodes labels and imputes missing values
 * before fitting; the code-to-label tables live outside the engine).
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';

/** Categorical columns as integer codes: code of column j in row i is codes[i * cols + j], in [0, cardinalities[j]). */
export interface CategoricalMatrix {
  readonly codes: Int32Array;
  readonly rows: number;
  readonly cols: number;
  /** m_j per column (q entries, each ≥ 1). */
  readonly cardinalities: Int32Array;
}

/** A mixed dataset: numeric part n × p (standardised by the caller) and categorical part n × q, same rows. */
export interface MixedMatrix {
  readonly numeric: DenseMatrix;
  readonly categorical: CategoricalMatrix;
}

/** Checks the shape of the categorical part, its cardinalities and that every code lies in [0, m_j). */
export function assertValidCategorical(x: CategoricalMatrix, name: string): void {
  const { codes, rows, cols, cardinalities } = x;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new EngineInputError('shape_mismatch', `${name} has invalid shape ${rows} × ${cols}`);
  }
  if (codes.length !== rows * cols) {
    throw new EngineInputError(
      'shape_mismatch',
      `${name} stores ${codes.length} codes, expected ${rows} × ${cols} = ${rows * cols}`,
    );
  }
  if (cardinalities.length !== cols) {
    throw new EngineInputError(
      'shape_mismatch',
      `${name} has ${cardinalities.length} cardinalities, expected one per column (${cols})`,
    );
  }
  for (let j = 0; j < cols; j++) {
    if (cardinalities[j]! < 1) {
      throw new EngineInputError('invalid_category', `${name} column ${j} has cardinality ${cardinalities[j]}, expected ≥ 1`);
    }
  }
  for (let i = 0, offset = 0; i < rows; i++, offset += cols) {
    for (let j = 0; j < cols; j++) {
      const code = codes[offset + j]!;
      if (code < 0 || code >= cardinalities[j]!) {
        throw new EngineInputError(
          'invalid_category',
          `${name} has code ${code} at row ${i}, column ${j}, outside [0, ${cardinalities[j]})`,
        );
      }
    }
  }
}

/** Checks k × q modes against the cardinalities. */
export function assertValidModes(modes: Int32Array, k: number, cardinalities: Int32Array, name: string): void {
  const q = cardinalities.length;
  if (modes.length !== k * q) {
    throw new EngineInputError('shape_mismatch', `${name} has ${modes.length} codes, expected k × q = ${k} × ${q}`);
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < q; j++) {
      const code = modes[c * q + j]!;
      if (code < 0 || code >= cardinalities[j]!) {
        throw new EngineInputError(
          'invalid_category',
          `${name} has code ${code} for cluster ${c}, column ${j}, outside [0, ${cardinalities[j]})`,
        );
      }
    }
  }
}

/**
 * OUT outMeans[j], outStds[j]: column means and population standard deviations of the n × p matrix,
 * in numpy's order of operations for kmodes' numeric block. kmodes splits it off with fancy indexing
 * (`X[:, numeric_columns]`), which yields a column-major array, so `np.mean(Xnum, axis=0)` and
 * `np.std(Xnum, axis=0)` sum each contiguous column pairwise: mean = Σx / n, std = √(Σ(x − mean)² / n),
 * both sums in pairwiseSum's order. The values match kmodes' bit for bit (on row-major data numpy would
 * sum row by row and differ in the last bits, e.g. γ = 0.5000000000000003 instead of 0.5 on the
 * standardised reference data).
 */
export function columnMeansAndStds(data: Float64Array, n: number, p: number, outMeans: Float64Array, outStds: Float64Array): void {
  const column = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) column[i] = data[i * p + j]!;
    const mean = pairwiseSum(column, 0, n) / n;
    for (let i = 0; i < n; i++) {
      const diff = column[i]! - mean;
      column[i] = diff * diff;
    }
    outMeans[j] = mean;
    outStds[j] = Math.sqrt(pairwiseSum(column, 0, n) / n);
  }
}

/**
 * kmodes' default gamma, 0.5 × the mean of the numeric columns' population standard deviations
 * (`0.5 * np.mean(Xnum.std(axis=0))`, kmodes 0.12); 0.5 for standardised columns. Huang (1997) suggests
 * a value between 1/3 and 2/3 of the average numeric standard deviation; kmodes takes the midpoint.
 */
export function defaultGamma(numeric: DenseMatrix): number {
  const p = numeric.cols;
  const means = new Float64Array(p);
  const stds = new Float64Array(p);
  columnMeansAndStds(numeric.data, numeric.rows, p, means, stds);
  return 0.5 * (pairwiseSum(stds, 0, p) / p);
}

/**
 * Σ values[offset … offset + count) in numpy's pairwise order (`pairwise_sum` in numpy's loops):
 * sequential below 8 terms, eight interleaved partial sums up to 128, halves beyond. np.sum of a
 * contiguous vector adds this to 0.
 */
export function pairwiseSum(values: Float64Array, offset: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[offset + i]!;
    return sum;
  }
  if (count <= 128) {
    let r0 = values[offset]!;
    let r1 = values[offset + 1]!;
    let r2 = values[offset + 2]!;
    let r3 = values[offset + 3]!;
    let r4 = values[offset + 4]!;
    let r5 = values[offset + 5]!;
    let r6 = values[offset + 6]!;
    let r7 = values[offset + 7]!;
    const blocked = count - (count % 8);
    let i = 8;
    for (; i < blocked; i += 8) {
      const o = offset + i;
      r0 += values[o]!;
      r1 += values[o + 1]!;
      r2 += values[o + 2]!;
      r3 += values[o + 3]!;
      r4 += values[o + 4]!;
      r5 += values[o + 5]!;
      r6 += values[o + 6]!;
      r7 += values[o + 7]!;
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < count; i++) sum += values[offset + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, offset, half) + pairwiseSum(values, offset + half, count - half);
}
