import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRows } from '../../../src/engine/index.ts';
import { assertValidCategorical, columnMeansAndStds, defaultGamma, pairwiseSum } from '../../../src/engine/kprototypes/mixed.ts';
import { expectEngineError } from '../support/assertions.ts';
import { bank, bankSample } from './reference-data.ts';

describe('columnMeansAndStds', () => {
  it('reproduces numpy’s column means and population stds of a column-major block bit for bit (the fixture’s raw bank columns)', () => {
    const raw = fromRows(bank.input.numeric_raw);
    const means = new Float64Array(6);
    const stds = new Float64Array(6);
    columnMeansAndStds(raw.data, raw.rows, raw.cols, means, stds);

    expect(Array.from(means)).toEqual(bank.input.numeric_mean);
    expect(Array.from(stds)).toEqual(bank.input.numeric_std);
  });
});

describe('defaultGamma', () => {
  it('is half the mean numeric std: exactly kmodes’ 0.5 on the standardised bank sample', () => {
    expect(defaultGamma(bankSample.numeric)).toBe(bank.gamma);
    expect(defaultGamma(fromRows([[0, 10], [2, 10], [4, 10]]))).toBeCloseTo(0.5 * (Math.sqrt(8 / 3) / 2), 15);
  });
});

describe('pairwiseSum', () => {
  it('equals the exact sum for integers and agrees with a plain sum to rounding', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 400 }), (values) => {
        expect(pairwiseSum(Float64Array.from(values), 0, values.length)).toBe(values.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

describe('assertValidCategorical', () => {
  it('rejects storage that does not match rows × cols, and cardinalities below 1', () => {
    expectEngineError(
      () => assertValidCategorical({ codes: new Int32Array(5), rows: 2, cols: 3, cardinalities: Int32Array.from([1, 1, 1]) }, 'x'),
      'shape_mismatch',
      /x stores 5 codes, expected 2 × 3 = 6/,
    );
    expectEngineError(
      () => assertValidCategorical({ codes: new Int32Array(2), rows: 2, cols: 1, cardinalities: Int32Array.from([0]) }, 'x'),
      'invalid_category',
      /column 0 has cardinality 0/,
    );
  });
});
