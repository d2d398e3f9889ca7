// The reference fixtures of kmodes 0.12.2 as engine inputs: soybean (k-modes) and the bank sample
// (k-prototypes), encoded with the fixtures' own category tables (sorted distinct values → 0 … m − 1).
import type { CategoricalMatrix, DenseMatrix, MixedMatrix } from '../../../src/engine/index.ts';
import { fromRows } from '../../../src/engine/index.ts';
import soybean from '../../fixtures/reference/kmodes_soybean.json' with { type: 'json' };
import bank from '../../fixtures/reference/kprototypes_mixed.json' with { type: 'json' };

export { bank, soybean };

/** Encodes rows of raw values column by column with `categories[j]` (value → its index). */
export function encodeRows<T>(rows: readonly (readonly T[])[], categories: readonly (readonly T[])[]): CategoricalMatrix {
  const q = categories.length;
  const codes = new Int32Array(rows.length * q);
  rows.forEach((row, i) =>
    row.forEach((value, j) => {
      const code = categories[j]!.indexOf(value);
      if (code < 0) throw new Error(`value ${String(value)} of column ${j} is not in the category table`);
      codes[i * q + j] = code;
    }),
  );
  return { codes, rows: rows.length, cols: q, cardinalities: Int32Array.from(categories, (c) => c.length) };
}

export const soybeanCodes: CategoricalMatrix = encodeRows(soybean.input.X, soybean.input.categories);

export const bankSample: MixedMatrix = {
  numeric: fromRows(bank.input.numeric_standardized),
  categorical: encodeRows(bank.input.categorical, bank.input.categories),
};

export const bankInitialPrototypes: { numeric: DenseMatrix; modes: Int32Array } = {
  numeric: fromRows(bank.initial_numeric),
  modes: Int32Array.from(bank.initial_categorical_encoded.flat()),
};

/** Sum over clusters of the majority-class count, divided by n (the fixtures' purity). */
export function purity(labels: Int32Array, classes: readonly string[]): number {
  const counts = new Map<string, number>();
  labels.forEach((label, i) => counts.set(`${label}|${classes[i]}`, (counts.get(`${label}|${classes[i]}`) ?? 0) + 1));
  const majority = new Map<number, number>();
  for (const [key, count] of counts) {
    const label = Number(key.split('|')[0]);
    majority.set(label, Math.max(majority.get(label) ?? 0, count));
  }
  return [...majority.values()].reduce((a, b) => a + b, 0) / labels.length;
}
