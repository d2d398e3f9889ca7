import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KPrototypesModel } from '../../../src/engine/index.ts';
import { assignKPrototypes, fitKModes, fitKPrototypes, fromRows, predictKPrototypes } from '../../../src/engine/index.ts';
import { expectEngineError, isBitIdentical } from '../support/assertions.ts';
import { makeMixedBlobs } from './mixed-blobs.ts';
import { bank, bankInitialPrototypes, bankSample, soybean, soybeanCodes } from './reference-data.ts';

// Two prototypes: (0, 0 | code 0, code 1) and (4, 2 | code 1, code 1), gamma 2.
const model: KPrototypesModel = { numericCentroids: fromRows([[0, 0], [4, 2]]), modes: Int32Array.from([0, 1, 1, 1]), gamma: 2 };
const present = (...flags: number[]) => Uint8Array.from(flags);

describe('assignKPrototypes', () => {
  it('assigns a complete customer to its training label with the distance predictKPrototypes reports', () => {
    const fitted = fitKPrototypes(bankSample, { k: bank.k, initialPrototypes: bankInitialPrototypes });
    const prediction = predictKPrototypes(fitted, bankSample);
    const { numeric, categorical } = bankSample;

    for (const i of [0, 1, 2, 500, 1234, 1999]) {
      const assignment = assignKPrototypes(
        fitted,
        numeric.data.subarray(i * numeric.cols, (i + 1) * numeric.cols),
        categorical.codes.subarray(i * categorical.cols, (i + 1) * categorical.cols),
      );
      expect(assignment.label).toBe(fitted.labels[i]);
      expect(assignment.distance).toBe(prediction.distances[i]);
      expect(assignment).toMatchObject({ numericUsed: 6, categoricalUsed: 5 });
    }
  });

  it('computes squared numeric distance plus gamma per mismatch, and reports all k distances on request', () => {
    // Customer (1, 1 | code 1, code 0): prototype 0: 1 + 1 + 2 × 2 = 6; prototype 1: 9 + 1 + 2 × 1 = 12.
    const outDistances = new Float64Array(2);
    const assignment = assignKPrototypes(model, Float64Array.from([1, 1]), Int32Array.from([1, 0]), { outDistances });

    expect(assignment).toEqual({ label: 0, distance: 6, numericUsed: 2, categoricalUsed: 2 });
    expect(Array.from(outDistances)).toEqual([6, 12]);
  });

  it('leaves a missing numeric value out of the distance (cold start), whatever the slot holds', () => {
    // Without the second numeric value: prototype 0: 9 + 0 = 9; prototype 1: 1 + 0 = 1.
    const outDistances = new Float64Array(2);
    const assignment = assignKPrototypes(model, Float64Array.from([3, Number.NaN]), Int32Array.from([0, 1]), {
      numericPresent: present(1, 0),
      outDistances,
    });

    expect(assignment).toEqual({ label: 1, distance: 1 + 2, numericUsed: 1, categoricalUsed: 2 });
    expect(Array.from(outDistances)).toEqual([9, 1 + 2]);
  });

  it('leaves a missing categorical value out of the distance', () => {
    const assignment = assignKPrototypes(model, Float64Array.from([2, 1]), Int32Array.from([-7, 1]), {
      categoricalPresent: present(0, 1),
    });

    // 4 + 1 + 0 vs 4 + 1 + 0: a tie, resolved to the lower index.
    expect(assignment).toEqual({ label: 0, distance: 5, numericUsed: 2, categoricalUsed: 1 });
  });

  it('counts an unseen category as one mismatch against every prototype', () => {
    const unseen = new Float64Array(2);
    const missing = new Float64Array(2);
    assignKPrototypes(model, Float64Array.from([1, 1]), Int32Array.from([-1, 1]), { outDistances: unseen });
    assignKPrototypes(model, Float64Array.from([1, 1]), Int32Array.from([0, 1]), { categoricalPresent: present(0, 1), outDistances: missing });

    expect(Array.from(unseen)).toEqual(Array.from(missing, (d) => d + model.gamma));
  });

  it('returns prototype 0 at distance 0 when nothing is known about the customer', () => {
    const assignment = assignKPrototypes(model, Float64Array.from([Number.NaN, Number.NaN]), Int32Array.from([0, 0]), {
      numericPresent: present(0, 0),
      categoricalPresent: present(0, 0),
    });

    expect(assignment).toEqual({ label: 0, distance: 0, numericUsed: 0, categoricalUsed: 0 });
  });

  it('gives the distances of the model without a column when that column is masked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 4 }), (seed, dropped) => {
        const { x } = makeMixedBlobs({ n: 60, p: 3, cardinalities: [3, 4], k: 3, seed });
        const fitted = fitKPrototypes(x, { k: 3, nInit: 1, seed });
        const row = seed % 60;
        const numericRow = x.numeric.data.slice(row * 3, row * 3 + 3);
        const categoricalRow = x.categorical.codes.slice(row * 2, row * 2 + 2);
        const isNumeric = dropped < 3;
        const numericPresent = present(...[0, 1, 2].map((j) => (isNumeric && j === dropped ? 0 : 1)));
        const categoricalPresent = present(...[0, 1].map((j) => (!isNumeric && j === dropped - 3 ? 0 : 1)));
        const masked = new Float64Array(3);
        assignKPrototypes(fitted, numericRow, categoricalRow, { numericPresent, categoricalPresent, outDistances: masked });

        const keepNumeric = [0, 1, 2].filter((j) => numericPresent[j] === 1);
        const keepCategorical = [0, 1].filter((j) => categoricalPresent[j] === 1);
        const reduced: KPrototypesModel = {
          numericCentroids: fromRows([0, 1, 2].map((c) => keepNumeric.map((j) => fitted.numericCentroids.data[c * 3 + j]!))),
          modes: Int32Array.from([0, 1, 2].flatMap((c) => keepCategorical.map((j) => fitted.modes[c * 2 + j]!))),
          gamma: fitted.gamma,
        };
        const direct = new Float64Array(3);
        assignKPrototypes(reduced, Float64Array.from(keepNumeric, (j) => numericRow[j]!), Int32Array.from(keepCategorical, (j) => categoricalRow[j]!), {
          outDistances: direct,
        });

        expect(Array.from(masked)).toEqual(Array.from(direct));
      }),
      { numRuns: 40 },
    );
  });

  it('serves a k-modes model, whose numeric prototypes are k × 0', () => {
    const fitted = fitKModes(soybeanCodes, { k: 4, initialModes: Int32Array.from(soybean.runs.cao.initial_modes_encoded.flat()) });
    const q = soybeanCodes.cols;

    soybean.runs.cao.labels.forEach((label, i) => {
      expect(assignKPrototypes(fitted, new Float64Array(0), soybeanCodes.codes.subarray(i * q, (i + 1) * q)).label).toBe(label);
    });
  });

  it.each([
    ['a given numeric value is NaN', () => assignKPrototypes(model, Float64Array.from([Number.NaN, 0]), Int32Array.from([0, 0])), 'non_finite_value', /numeric value 0 is NaN/],
    ['the numeric row is too short', () => assignKPrototypes(model, Float64Array.from([0]), Int32Array.from([0, 0])), 'shape_mismatch', /1 numeric and 2 categorical values, the model 2 and 2/],
    ['a mask has the wrong length', () => assignKPrototypes(model, Float64Array.from([0, 0]), Int32Array.from([0, 0]), { numericPresent: present(1) }), 'shape_mismatch', /presence masks/],
    ['outDistances has the wrong length', () => assignKPrototypes(model, Float64Array.from([0, 0]), Int32Array.from([0, 0]), { outDistances: new Float64Array(3) }), 'shape_mismatch', /outDistances has 3 entries, expected k = 2/],
    ['the modes are not k × q', () => assignKPrototypes({ ...model, modes: Int32Array.from([0, 1, 1]) }, Float64Array.from([0, 0]), Int32Array.from([0, 0])), 'shape_mismatch', /3 codes, not a multiple of k = 2/],
    ['gamma is negative', () => assignKPrototypes({ ...model, gamma: -1 }, Float64Array.from([0, 0]), Int32Array.from([0, 0])), 'invalid_option', /gamma = -1/],
  ])('rejects input where %s', (_, run, code, message) => {
    expectEngineError(run, code, message);
  });
});

describe('predictKPrototypes', () => {
  it('assigns every row as assignKPrototypes does, one row at a time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const { x } = makeMixedBlobs({ n: 50, p: 9, cardinalities: [2, 5], k: 3, seed });
        const fitted = fitKPrototypes(x, { k: 4, nInit: 2, seed });
        const prediction = predictKPrototypes(fitted, x);

        expect(isBitIdentical(prediction.labels, fitted.labels)).toBe(true);
        expect(prediction.cost).toBe(fitted.cost);
        for (let i = 0; i < 50; i++) {
          const one = assignKPrototypes(fitted, x.numeric.data.subarray(i * 9, i * 9 + 9), x.categorical.codes.subarray(i * 2, i * 2 + 2));
          expect(one.label).toBe(prediction.labels[i]);
          expect(one.distance).toBe(prediction.distances[i]);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('counts codes the model never saw as mismatches', () => {
    const x = {
      numeric: fromRows([[0, 0]]),
      categorical: { codes: Int32Array.from([9, 1]), rows: 1, cols: 2, cardinalities: Int32Array.from([2, 2]) },
    };

    expect(Array.from(predictKPrototypes(model, x).distances)).toEqual([2]);
  });

  it('rejects data whose columns differ from the model’s', () => {
    const x = {
      numeric: fromRows([[0, 0, 0]]),
      categorical: { codes: Int32Array.from([0, 1]), rows: 1, cols: 2, cardinalities: Int32Array.from([2, 2]) },
    };
    expectEngineError(() => predictKPrototypes(model, x), 'shape_mismatch', /3 numeric and 2 categorical columns, the model 2 and 2/);
  });
});
