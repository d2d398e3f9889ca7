import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/engine/index.ts';
import type { RandomSource } from '../../../src/engine/kprototypes/init.ts';
import { argsortNumpy, drawNumericPrototypes, initCaoModes, initHuangModes, initRandomModes } from '../../../src/engine/kprototypes/init.ts';
import { kmodesRunState, NumpyRandomState } from './numpy-random-state.ts';
import { soybean, soybeanCodes } from './reference-data.ts';

const { codes, rows: n, cols: q, cardinalities } = soybeanCodes;

describe('initCaoModes', () => {
  it('reproduces kmodes’ init_cao on soybean exactly (the fixture’s cao initial modes)', () => {
    const modes = new Int32Array(4 * q);
    initCaoModes(codes, n, q, cardinalities, 4, modes);

    expect(Array.from(modes)).toEqual(soybean.runs.cao.initial_modes_encoded.flat());
  });

  it('starts from the densest row and then picks the row farthest (× density) from the modes chosen so far', () => {
    // Rows (0, 0), (0, 0), (0, 1), (1, 1). Densities (mean relative frequency of the row's codes): 5/8, 5/8,
    // 5/8, 3/8, so row 0 (the first densest) comes first. Then mismatches × density: row 2 scores 1 × 5/8,
    // row 3 scores 2 × 3/8 = 6/8 and wins: the farther row beats the denser one.
    const data = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1]);
    const modes = new Int32Array(4);
    initCaoModes(data, 4, 2, Int32Array.from([2, 2]), 2, modes);

    expect(Array.from(modes)).toEqual([0, 0, 1, 1]);
  });
});

describe('initHuangModes', () => {
  for (const name of ['huang_seed3', 'huang_seed31'] as const) {
    const seed = Number(name.replace('huang_seed', ''));

    it(`reproduces KModes(init='Huang', random_state=${seed}) exactly when fed numpy’s random stream`, () => {
      const modes = new Int32Array(4 * q);
      initHuangModes(codes, n, q, cardinalities, 4, kmodesRunState(seed), modes);

      expect(Array.from(modes)).toEqual(soybean.runs[name].initial_modes_encoded.flat());
    });
  }

  it('draws k positions per column, reads them off the sorted column, then moves each mode to the nearest row not already a mode', () => {
    // Rows (1, 1), (0, 1), (2, 0), (0, 1). Sorted columns: 0 0 1 2 and 0 1 1 1. Positions 3, 0 (column 0)
    // and 0, 1 (column 1) draw modes (2, 0) and (0, 1).
    // Mode 0: nearest is row 2 = (2, 0), but it equals a current mode (its own drawn value: kmodes compares
    // with every mode), so the next, row 0 = (1, 1), is taken. Mode 1: rows 1 and 3 equal (0, 1), row 0 is
    // now mode 0, and the last candidate, row 2 = (2, 0), is taken whatever it equals.
    const data = Int32Array.from([1, 1, 0, 1, 2, 0, 0, 1]);
    const bounds: number[] = [];
    const positions = [3, 0, 0, 1];
    const scripted: RandomSource = {
      nextInt: (bound) => positions[bounds.push(bound) - 1]!,
      nextGaussian: () => 0,
    };
    const modes = new Int32Array(4);
    initHuangModes(data, 4, 2, Int32Array.from([3, 2]), 2, scripted, modes);

    expect(bounds).toEqual([4, 4, 4, 4]);
    expect(Array.from(modes)).toEqual([1, 1, 2, 0]);
  });

  it('returns rows of the data, pairwise distinct when there are enough distinct rows, and the same modes for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 6 }), (seed, k) => {
        const modes = new Int32Array(k * q);
        initHuangModes(codes, n, q, cardinalities, k, createRandom(seed), modes);
        const again = new Int32Array(k * q);
        initHuangModes(codes, n, q, cardinalities, k, createRandom(seed), again);

        expect(again).toEqual(modes);
        const rowKeys = new Set(Array.from({ length: n }, (_, i) => codes.subarray(i * q, (i + 1) * q).join(',')));
        const modeKeys = Array.from({ length: k }, (_, c) => modes.subarray(c * q, (c + 1) * q).join(','));
        modeKeys.forEach((key) => expect(rowKeys.has(key)).toBe(true));
        expect(new Set(modeKeys).size).toBe(k);
      }),
      { numRuns: 30 },
    );
  });
});

describe('initRandomModes and drawNumericPrototypes', () => {
  it('take k rows with replacement and mean + N(0, 1) × std per numeric entry, k × p row-major', () => {
    const random = new NumpyRandomState(5);
    const expectedRows = [random.nextInt(n), random.nextInt(n)];
    const modes = new Int32Array(2 * q);
    initRandomModes(codes, n, q, 2, new NumpyRandomState(5), modes);

    expectedRows.forEach((row, c) => expect(Array.from(modes.subarray(c * q, (c + 1) * q))).toEqual(Array.from(codes.subarray(row * q, (row + 1) * q))));

    const gaussians = new NumpyRandomState(8);
    const deviates = [0, 1, 2, 3, 4, 5].map(() => gaussians.nextGaussian());
    const centroids = new Float64Array(6);
    drawNumericPrototypes(Float64Array.from([1, 2, 3]), Float64Array.from([10, 20, 30]), 3, 2, new NumpyRandomState(8), centroids);

    expect(Array.from(centroids)).toEqual(deviates.map((z, t) => [1, 2, 3][t % 3]! + z * [10, 20, 30][t % 3]!));
  });
});

describe('argsortNumpy', () => {
  it('returns a permutation that sorts the values', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }), (values) => {
        const data = Int32Array.from(values);
        const order = new Int32Array(data.length);
        argsortNumpy(data, order);

        expect(Array.from(order).sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
        for (let i = 1; i < order.length; i++) expect(data[order[i]!]!).toBeGreaterThanOrEqual(data[order[i - 1]!]!);
      }),
    );
  });

  it('is stable up to 16 values (insertion sort) and not beyond: ties then follow the median-of-3 partitions', () => {
    const small = Int32Array.from([2, 1, 2, 1, 0, 2, 1, 0, 0, 1, 2, 0, 1, 2, 0, 1]);
    const order = new Int32Array(small.length);
    argsortNumpy(small, order);
    const stable = Array.from(small.keys()).sort((a, b) => small[a]! - small[b]! || a - b);
    expect(Array.from(order)).toEqual(stable);

    // Soybean's distances to Huang's first drawn mode for seed 3: rows 41 and 46 tie at the minimum 8 and
    // numpy (hence kmodes) lists 46 first.
    const drawn = [0, 0, 2, 2, 0, 3, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 2, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1];
    const distances = Int32Array.from({ length: n }, (_, i) => drawn.filter((code, j) => codes[i * q + j] !== code).length);
    const soybeanOrder = new Int32Array(n);
    argsortNumpy(distances, soybeanOrder);
    expect(soybeanOrder[0]).toBe(46);
    expect(soybeanOrder[1]).toBe(41);
  });
});
