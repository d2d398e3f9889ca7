import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CategoricalMatrix, MixedMatrix } from '../../../src/engine/index.ts';
import { createRandom, fitKMeans, fitKPrototypes, fromRows } from '../../../src/engine/index.ts';
import { assignInitial, createOnlineData, createOnlineWorkspace, runOnlinePass, updatePrototypes } from '../../../src/engine/kprototypes/online.ts';
import { isRelativelyClose } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';
import { transcribeKPrototypes } from './kmodes-transcription.ts';
import { makeMixedBlobs } from './mixed-blobs.ts';

const noCategories = (rows: number): CategoricalMatrix => ({ codes: new Int32Array(0), rows, cols: 0, cardinalities: new Int32Array(0) });
const noModes = new Int32Array(0);

describe('the online k-prototypes update', () => {
  it('gives the same numbers, bit for bit, as a line-by-line transcription of kmodes 0.12.2’s loop', () => {
    fc.assert(
      fc.property(smallProblem, (problem) => {
        const { x, initial, rows } = buildProblem(problem);
        const numeric = rows.map((i) => Array.from(x.numeric.data.subarray(i * problem.p, (i + 1) * problem.p)));
        const categorical = rows.map((i) => Array.from(x.categorical.codes.subarray(i * x.categorical.cols, (i + 1) * x.categorical.cols)));
        const runRandom = createRandom(createRandom(problem.seed).nextInt(2147483647));
        const expected = transcribeKPrototypes({
          numeric,
          categorical,
          initialNumeric: splitRows(initial.numeric, problem.k),
          initialModes: splitRows(initial.modes, problem.k),
          gamma: problem.gamma,
          maxIterations: 25,
          choose: (size) => runRandom.nextInt(size),
        });
        fc.pre(!expected.hasEmptyInitialCluster && countDistinctRows(x) > problem.k);

        const result = fitKPrototypes(x, { k: problem.k, initialPrototypes: initial, gamma: problem.gamma, maxIterations: 25, seed: problem.seed });

        expect(Array.from(result.labels)).toEqual(expected.labels);
        expect(Array.from(result.numericCentroids.data)).toEqual(expected.numericCentroids.flat());
        expect(Array.from(result.modes)).toEqual(expected.modes.flat());
        expect(result.cost).toBe(expected.cost);
        expect(result.iterations).toBe(expected.iterations);
        expect(Array.from(result.epochCosts)).toEqual(expected.epochCosts);
      }),
      { numRuns: 150 },
    );
  });

  it('matches the transcription on 1,500 rows too, where the distance bounds skip most rows in the late passes', () => {
    const { x } = makeMixedBlobs({ n: 1500, p: 9, cardinalities: [3, 5, 2], k: 5, seed: 21, centerSpread: 1.2 });
    const startRows = [3, 400, 800, 1100, 1499];
    const start = prototypesFromRows(x, startRows);
    const rows = Array.from({ length: 1500 }, (_, i) => i);
    const expected = transcribeKPrototypes({
      numeric: rows.map((i) => Array.from(x.numeric.data.subarray(i * 9, i * 9 + 9))),
      categorical: rows.map((i) => Array.from(x.categorical.codes.subarray(i * 3, i * 3 + 3))),
      initialNumeric: splitRows(start.numeric, 5),
      initialModes: splitRows(start.modes, 5),
      gamma: 0.5,
      maxIterations: 100,
      choose: () => {
        throw new Error('no cluster empties in this run');
      },
    });

    const result = fitKPrototypes(x, { k: 5, initialPrototypes: start, gamma: 0.5 });

    expect(result.iterations).toBeGreaterThan(5);
    expect(Array.from(result.labels)).toEqual(expected.labels);
    expect(Array.from(result.numericCentroids.data)).toEqual(expected.numericCentroids.flat());
    expect(Array.from(result.modes)).toEqual(expected.modes.flat());
    expect(Array.from(result.epochCosts)).toEqual(expected.epochCosts);
  });

  it('lowers the cost strictly at every pass but the last, and reports convergence exactly when the last did not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 12 }), (seed, k, maxIterations) => {
        const { x } = makeMixedBlobs({ n: 120, p: 2, cardinalities: [3, 5], k: 4, seed, centerSpread: 1 });
        const result = fitKPrototypes(x, { k, init: 'huang', nInit: 1, seed, maxIterations });
        const costs = Array.from(result.epochCosts);
        const last = costs.length - 1;

        expect(last).toBe(result.iterations);
        for (let t = 0; t + 1 < last; t++) expect(costs[t + 1]!).toBeLessThan(costs[t]!);
        expect(result.converged).toBe(costs[last]! >= costs[last - 1]!);
        if (result.epochMoves[last - 1] === 0) expect(costs[last]).toBe(costs[last - 1]);
        expect(result.cost).toBe(costs[last]);
      }),
      { numRuns: 60 },
    );
  });

  it('relabels consistently: permuting the initial prototypes permutes labels and prototypes and keeps the cost bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 5 }), (seed, k) => {
        const { x } = makeMixedBlobs({ n: 80, p: 2, cardinalities: [3, 4], k: 3, seed, centerSpread: 1.5 });
        const random = createRandom(seed);
        const startRows = Array.from(random.sampleIndices(80, k));
        const permutation = Array.from(random.sampleIndices(k, k));
        const start = prototypesFromRows(x, startRows);
        const permuted = prototypesFromRows(x, permutation.map((c) => startRows[c]!));

        const original = fitKPrototypes(x, { k, initialPrototypes: start });
        const relabelled = fitKPrototypes(x, { k, initialPrototypes: permuted });

        // Cluster c of the permuted run started where cluster permutation[c] of the original did.
        expect(Array.from(relabelled.labels, (label) => permutation[label])).toEqual(Array.from(original.labels));
        permutation.forEach((from, c) => {
          expect(Array.from(relabelled.numericCentroids.data.subarray(c * 2, c * 2 + 2))).toEqual(
            Array.from(original.numericCentroids.data.subarray(from * 2, from * 2 + 2)),
          );
          expect(Array.from(relabelled.modes.subarray(c * 2, c * 2 + 2))).toEqual(Array.from(original.modes.subarray(from * 2, from * 2 + 2)));
        });
        expect(relabelled.cost).toBe(original.cost);
      }),
      { numRuns: 40 },
    );
  });

  it('depends on the order of the rows: visiting them in reverse can end in another partition', () => {
    // Rows 6, 22, 11, 17, 9, 26 from prototypes 2.25, 16.5, 28.75: the initial clusters are {6, 9}, {22, 11, 17},
    // {26}. In file order 22 leaves first (nearer 26 than the mean 16.7), then 11 stays with {11, 17}: cost
    // 30.5. In reverse order 11 leaves first (nearer 7.5), then 22 stays with {17, 22}: cost 25.17.
    const start = { numeric: fromRows([[2.25], [16.5], [28.75]]), modes: noModes };
    const fit = (values: number[]) =>
      fitKPrototypes({ numeric: fromRows(values.map((v) => [v])), categorical: noCategories(values.length) }, { k: 3, initialPrototypes: start });

    const forward = fit([6, 22, 11, 17, 9, 26]);
    const backward = fit([26, 9, 17, 11, 22, 6]);

    expect(Array.from(forward.labels)).toEqual([0, 2, 1, 1, 0, 2]);
    expect(forward.cost).toBe(30.5);
    expect(Array.from(backward.labels).reverse()).toEqual([0, 1, 0, 1, 0, 2]);
    expect(backward.cost).toBeCloseTo(25 + 1 / 6, 12);
  });

  it('ignores the row order at a fixed point: refitting a converged model on permuted rows permutes its labels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const { x } = makeMixedBlobs({ n: 90, p: 2, cardinalities: [3, 4], k: 3, seed, centerSpread: 2 });
        const model = fitKPrototypes(x, { k: 3, init: 'cao', nInit: 1, seed });
        fc.pre(model.epochMoves[model.epochMoves.length - 1] === 0);
        // Like kmodes' move_point_cat, a moved row takes over a mode only with strictly more votes, so a
        // tied mode depends on the order of the moves; a refit recomputes it (smallest code). The
        // property holds where the modes are decided by the memberships alone: without tied modes.
        fc.pre(!hasTiedMode(x.categorical, model.labels, 3));
        const order = Array.from(createRandom(seed).sampleIndices(90, 90));
        const permuted = permuteRows(x, order);

        const refit = fitKPrototypes(permuted, { k: 3, initialPrototypes: { numeric: model.numericCentroids, modes: model.modes } });

        expect(Array.from(refit.labels)).toEqual(order.map((i) => model.labels[i]));
        expect(Array.from(refit.modes)).toEqual(Array.from(model.modes));
        refit.numericCentroids.data.forEach((value, t) => expect(value).toBeCloseTo(model.numericCentroids.data[t]!, 12));
      }),
      { numRuns: 30 },
    );
  });
});

describe('the empty-cluster rule', () => {
  it('refills an emptied cluster with a drawn member of the largest cluster and moves both numeric prototypes to their means', () => {
    // Rows (x, code): (0, a), (2, a), (4, b). After the initial assignment cluster 0 = {rows 0, 1} and
    // cluster 1 = {row 2}; then cluster 1's prototype is set onto cluster 0's, so row 2 ties and leaves for
    // the lower index. Cluster 1 is empty; the largest cluster (0, now rows 0, 1, 2) gives up its member of
    // rank 1 (the draw), row 1. kmodes would leave cluster 1's numeric prototype at 0 and cluster 0's at its
    // old mean; the engine sets them to 2 and (0 + 4) / 2 = 2.
    const data = createOnlineData(Float64Array.from([0, 2, 4]), Int32Array.from([0, 0, 1]), 3, 1, 1, Int32Array.from([2]));
    const ws = createOnlineWorkspace(data, 2);
    ws.centroids.set([0, 4]);
    ws.modes.set([0, 1]);
    assignInitial(data, ws, 2, 1);
    updatePrototypes(data, ws, 2);
    ws.centroids[1] = ws.centroids[0]!;
    ws.modes[1] = ws.modes[0]!;
    const draws: number[] = [];

    const moves = runOnlinePass(data, ws, 2, 1, { nextInt: (size) => (draws.push(size), 1), nextGaussian: () => 0 });

    expect(moves).toBe(1);
    expect(draws).toEqual([3]);
    expect(Array.from(ws.membership)).toEqual([0, 1, 0]);
    expect(Array.from(ws.counts)).toEqual([2, 1]);
    expect(Array.from(ws.centroids)).toEqual([2, 2]);
    // Cluster 0 holds codes a, b once each: the removed a was its mode, recomputed to the smaller code a.
    expect(Array.from(ws.modes)).toEqual([0, 0]);
  });
});

describe('the online update without categorical columns (online k-means) and Lloyd', () => {
  it('makes no move from a Lloyd fixed point: one pass, Lloyd’s labels, and a cost equal to Lloyd’s inertia', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 6 }), (seed, k) => {
        const { x } = makeBlobs({ n: 150, d: 3, k: 4, seed, centerSpread: 2 });
        const lloyd = fitKMeans(x, { k, seed, nInit: 1, tolerance: 0 });
        fc.pre(lloyd.converged && Array.from(lloyd.clusterSizes).every((size) => size > 0));

        const online = fitKPrototypes({ numeric: x, categorical: noCategories(150) }, { k, initialPrototypes: { numeric: lloyd.centers, modes: noModes } });

        expect(Array.from(online.labels)).toEqual(Array.from(lloyd.labels));
        expect(Array.from(online.epochMoves)).toEqual([0]);
        expect(online.iterations).toBe(1);
        expect(isRelativelyClose(online.cost, lloyd.inertia, 1e-10)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('ends on a Lloyd fixed point when its last pass moved no row: Lloyd started there keeps labels and centres', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 6 }), (seed, k) => {
        const { x } = makeBlobs({ n: 150, d: 3, k: 4, seed, centerSpread: 1.5 });
        const online = fitKPrototypes({ numeric: x, categorical: noCategories(150) }, { k, init: 'random', nInit: 1, seed });
        fc.pre(online.epochMoves[online.epochMoves.length - 1] === 0);

        const lloyd = fitKMeans(x, { k, initialCenters: online.numericCentroids });

        expect(Array.from(lloyd.labels)).toEqual(Array.from(online.labels));
        lloyd.centers.data.forEach((value, t) => expect(value).toBeCloseTo(online.numericCentroids.data[t]!, 12));
        expect(isRelativelyClose(lloyd.inertia, online.cost, 1e-10)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});

interface SmallProblem {
  readonly n: number;
  readonly p: number;
  readonly cardinalities: number[];
  readonly k: number;
  readonly gamma: number;
  readonly isContinuous: boolean;
  readonly seed: number;
}

/** Small mixed problems; half-integer numerics make distance and mode ties frequent, Gaussians exercise rounding. */
const smallProblem: fc.Arbitrary<SmallProblem> = fc
  .record({
    n: fc.integer({ min: 3, max: 20 }),
    p: fc.constantFrom(0, 1, 2, 3, 8, 9),
    cardinalities: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
    k: fc.integer({ min: 1, max: 7 }),
    gamma: fc.constantFrom(0.25, 0.5, 1, 1.5),
    isContinuous: fc.boolean(),
    seed: fc.integer({ min: 0, max: 100_000 }),
  })
  .filter((problem) => problem.p + problem.cardinalities.length > 0 && problem.k <= problem.n);

function buildProblem(problem: SmallProblem): { x: MixedMatrix; initial: { numeric: ReturnType<typeof fromRows>; modes: Int32Array }; rows: number[] } {
  const { n, p, cardinalities, k, isContinuous, seed } = problem;
  const q = cardinalities.length;
  const random = createRandom(seed ^ 0x5bd1e995);
  const numeric = new Float64Array(n * p);
  for (let t = 0; t < numeric.length; t++) numeric[t] = isContinuous ? random.nextGaussian() : (random.nextInt(7) - 3) / 2;
  const codes = new Int32Array(n * q);
  for (let t = 0; t < codes.length; t++) codes[t] = random.nextInt(cardinalities[t % q]!);
  const x: MixedMatrix = {
    numeric: { data: numeric, rows: n, cols: p },
    categorical: { codes, rows: n, cols: q, cardinalities: Int32Array.from(cardinalities) },
  };
  const startRows = Array.from(random.sampleIndices(n, k));
  const rows = Array.from({ length: n }, (_, i) => i);
  return { x, initial: prototypesFromRows(x, startRows), rows };
}

function prototypesFromRows(x: MixedMatrix, rows: number[]) {
  const p = x.numeric.cols;
  const q = x.categorical.cols;
  const numeric = new Float64Array(rows.length * p);
  const modes = new Int32Array(rows.length * q);
  rows.forEach((row, c) => {
    numeric.set(x.numeric.data.subarray(row * p, (row + 1) * p), c * p);
    modes.set(x.categorical.codes.subarray(row * q, (row + 1) * q), c * q);
  });
  return { numeric: { data: numeric, rows: rows.length, cols: p }, modes };
}

/** Whether some cluster has two most frequent categories in some column. */
function hasTiedMode(categorical: CategoricalMatrix, labels: Int32Array, k: number): boolean {
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < categorical.cols; j++) {
      const counts = new Array<number>(categorical.cardinalities[j]!).fill(0);
      labels.forEach((label, i) => {
        if (label === c) counts[categorical.codes[i * categorical.cols + j]!]!++;
      });
      const top = Math.max(...counts);
      if (top > 0 && counts.filter((count) => count === top).length > 1) return true;
    }
  }
  return false;
}

function permuteRows(x: MixedMatrix, order: number[]): MixedMatrix {
  const { numeric, categorical } = x;
  const p = numeric.cols;
  const q = categorical.cols;
  const data = new Float64Array(numeric.data.length);
  const codes = new Int32Array(categorical.codes.length);
  order.forEach((row, i) => {
    data.set(numeric.data.subarray(row * p, (row + 1) * p), i * p);
    codes.set(categorical.codes.subarray(row * q, (row + 1) * q), i * q);
  });
  return { numeric: { ...numeric, data }, categorical: { ...categorical, codes } };
}

function splitRows(values: { data: ArrayLike<number> } | ArrayLike<number>, k: number): number[][] {
  const flat = Array.from('data' in values ? values.data : values);
  const width = flat.length / k;
  return Array.from({ length: k }, (_, c) => flat.slice(c * width, (c + 1) * width));
}

function countDistinctRows(x: MixedMatrix): number {
  const p = x.numeric.cols;
  const q = x.categorical.cols;
  const keys = new Set<string>();
  for (let i = 0; i < x.categorical.rows; i++) {
    keys.add(`${Array.from(x.numeric.data.subarray(i * p, (i + 1) * p)).join(',')}|${Array.from(x.categorical.codes.subarray(i * q, (i + 1) * q)).join(',')}`);
  }
  return keys.size;
}
