import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CategoricalMatrix, KModesOptions, KPrototypesOptions, KPrototypesResult, MixedMatrix } from '../../../src/engine/index.ts';
import { fitKModes, fitKPrototypes, fromRows, predictKPrototypes } from '../../../src/engine/index.ts';
import { columnMeansAndStds } from '../../../src/engine/kprototypes/mixed.ts';
import { expectEngineError, isBitIdentical, isRelativelyClose } from '../support/assertions.ts';
import { makeMixedBlobs } from './mixed-blobs.ts';
import { bank, bankInitialPrototypes, bankSample, encodeRows, purity, soybean, soybeanCodes } from './reference-data.ts';
import { sharedPath } from '../../helpers/shared-data.ts';

const noCategories = (rows: number): CategoricalMatrix => ({ codes: new Int32Array(0), rows, cols: 0, cardinalities: new Int32Array(0) });

describe('fitKPrototypes', () => {
  describe('against kmodes 0.12.2 on the bank sample (test/fixtures/reference/kprototypes_mixed.json)', () => {
    const result = fitKPrototypes(bankSample, { k: bank.k, initialPrototypes: bankInitialPrototypes });
    const expected = bank.result;

    it('reproduces labels, modes and n_iter exactly, cost and epoch costs to rel 1e-9, centroids to 1e-9 and gamma to 1e-12', () => {
      expect(Array.from(result.labels)).toEqual(expected.labels);
      expect(Array.from(result.modes)).toEqual(expected.categorical_modes_encoded.flat());
      expect(result.iterations).toBe(expected.n_iter);
      expect(Array.from(result.clusterSizes)).toEqual(expected.cluster_sizes);
      expect(isRelativelyClose(result.cost, expected.cost, 1e-9)).toBe(true);
      expect(result.epochCosts).toHaveLength(expected.epoch_costs.length);
      result.epochCosts.forEach((cost, i) => expect(isRelativelyClose(cost, expected.epoch_costs[i]!, 1e-9)).toBe(true));
      const centroids = expected.numeric_centroids.flat();
      result.numericCentroids.data.forEach((value, i) => expect(Math.abs(value - centroids[i]!)).toBeLessThanOrEqual(1e-9));
      expect(Math.abs(result.gamma - bank.gamma)).toBeLessThanOrEqual(1e-12);
      expect(result.converged).toBe(true);
      expect(result.warnings).toEqual([]);
    });

    it('matches kmodes bit for bit, since sums follow numpy’s order: cost, epoch costs, centroids and gamma are the same doubles', () => {
      expect(result.cost).toBe(expected.cost);
      expect(Array.from(result.epochCosts)).toEqual(expected.epoch_costs);
      expect(Array.from(result.numericCentroids.data)).toEqual(expected.numeric_centroids.flat());
      expect(result.gamma).toBe(bank.gamma);
    });

    it('keeps numeric prototypes as running sums, within the fixture’s deviation from fresh cluster means', () => {
      const { numeric } = bankSample;
      const p = numeric.cols;
      let maxDeviation = 0;
      for (let c = 0; c < bank.k; c++) {
        for (let j = 0; j < p; j++) {
          let sum = 0;
          for (let i = 0; i < numeric.rows; i++) if (result.labels[i] === c) sum += numeric.data[i * p + j]!;
          const deviation = Math.abs(sum / result.clusterSizes[c]! - result.numericCentroids.data[c * p + j]!);
          maxDeviation = Math.max(maxDeviation, deviation);
        }
      }
      expect(maxDeviation).toBeLessThanOrEqual(4 * expected.max_abs_dev_from_exact_means);
    });

    it('stops after maxIterations passes with kmodes’ epoch costs so far, reports non-convergence and warns', () => {
      const short = fitKPrototypes(bankSample, { k: bank.k, initialPrototypes: bankInitialPrototypes, maxIterations: 3 });

      expect(short.iterations).toBe(3);
      expect(Array.from(short.epochCosts)).toEqual(expected.epoch_costs.slice(0, 4));
      expect(short.converged).toBe(false);
      expect(short.warnings).toEqual(['stopped at maxIterations = 3 before convergence']);
    });

    it('labels every row with its nearest final prototype, as predictKPrototypes does', () => {
      const prediction = predictKPrototypes(result, bankSample);

      expect(isBitIdentical(prediction.labels, result.labels)).toBe(true);
      expect(prediction.cost).toBe(result.cost);
    });
  });

  describe('hand-worked cases', () => {
    it('moves rows one at a time and updates both means at once, reaching in one pass what Lloyd needs four iterations for', () => {
      // Rows 0, 3, 4, 5, 9, 10 from prototypes 0 and 3 (q = 0). Initial assignment: {0} and {3, 4, 5, 9, 10},
      // means 0 and 6.2; cost with nearest labels (3 is nearer 0): 9 + 2.2² + 1.2² + 2.8² + 3.8² = 37.56.
      // Pass 1: row 3 moves (9 < 10.24), means 1.5 | 7; row 4 moves (6.25 < 9), means 7/3 | 8; row 5 moves
      // (7.1 < 9), means 3 | 9.5. Cost 9 + 0 + 1 + 4 + 0.25 + 0.25 = 14.5. Pass 2 moves nothing.
      // Batch Lloyd from the same start moves 3, then 4, then 5, one per iteration.
      const x = fromRows([[0], [3], [4], [5], [9], [10]]);
      const result = fitKPrototypes(
        { numeric: x, categorical: noCategories(6) },
        { k: 2, initialPrototypes: { numeric: fromRows([[0], [3]]), modes: new Int32Array(0) } },
      );

      expect(Array.from(result.labels)).toEqual([0, 0, 0, 0, 1, 1]);
      expect(Array.from(result.numericCentroids.data)).toEqual([3, 9.5]);
      expect(Array.from(result.epochMoves)).toEqual([3, 0]);
      expect(result.epochCosts[0]).toBeCloseTo(37.56, 12);
      expect(Array.from(result.epochCosts.subarray(1))).toEqual([14.5, 14.5]);
      expect(result.iterations).toBe(2);
      expect(result.converged).toBe(true);
    });

    it('weighs a categorical mismatch by gamma against the squared numeric distance', () => {
      // Row 2 (x = 1, code 1) is 1 from prototype 0 (x = 0, code 0) and 4 from prototype 1 (x = 3, code 1):
      // with gamma 2 the distances are 1 + 2 = 3 vs 4 (cluster 0), with gamma 4 they are 5 vs 4 (cluster 1).
      const x: MixedMatrix = {
        numeric: fromRows([[0], [3], [1]]),
        categorical: { codes: Int32Array.from([0, 1, 1]), rows: 3, cols: 1, cardinalities: Int32Array.from([2]) },
      };
      const start = { numeric: fromRows([[0], [3]]), modes: Int32Array.from([0, 1]) };
      const distances = (gamma: number) =>
        predictKPrototypes({ numericCentroids: start.numeric, modes: start.modes, gamma }, x).distances;

      expect(Array.from(distances(2))).toEqual([0, 0, 3]);
      expect(Array.from(distances(4))).toEqual([0, 0, 4]);
      expect(fitKPrototypes(x, { k: 2, initialPrototypes: start, gamma: 2 }).labels[2]).toBe(0);
      expect(fitKPrototypes(x, { k: 2, initialPrototypes: start, gamma: 4 }).labels[2]).toBe(1);
    });

    it('breaks distance ties towards the lower cluster index and mode ties towards the smaller code', () => {
      // Row 1 (x = 1) is 1 from both prototypes 0 and 2: it joins cluster 0, whose codes are then 0 and 1
      // once each, so the mode is the smaller code, 0.
      const x: MixedMatrix = {
        numeric: fromRows([[0], [1], [2]]),
        categorical: { codes: Int32Array.from([0, 1, 0]), rows: 3, cols: 1, cardinalities: Int32Array.from([2]) },
      };
      const result = fitKPrototypes(x, {
        k: 2,
        initialPrototypes: { numeric: fromRows([[0], [2]]), modes: Int32Array.from([0, 0]) },
        gamma: 0.25,
      });

      expect(Array.from(result.labels)).toEqual([0, 0, 1]);
      expect(Array.from(result.modes)).toEqual([0, 0]);
    });
  });

  describe('initialisation and restarts', () => {
    const { x } = makeMixedBlobs({ n: 400, p: 3, cardinalities: [3, 4], k: 4, seed: 7 });

    it.each(['huang', 'cao', 'random'] as const)('fits with init %s and reproduces the result bit for bit from the same seed', (init) => {
      const first = fitKPrototypes(x, { k: 4, init, nInit: 3, seed: 42 });
      const second = fitKPrototypes(x, { k: 4, init, nInit: 3, seed: 42 });

      expectSameResult(second, first);
      expect(first.converged).toBe(true);
      expect(Array.from(first.clusterSizes).every((size) => size > 0)).toBe(true);
    });

    it('defaults to Cao with 10 restarts whose numeric centres are random, so the seed matters', () => {
      const seeded = fitKPrototypes(x, { k: 4, seed: 1 });
      const again = fitKPrototypes(x, { k: 4, seed: 1 });

      expectSameResult(again, seeded);
      expect(seeded.warnings).toEqual([]);
    });

    it('never returns a higher cost with more restarts than its first restart alone', () => {
      const single = fitKPrototypes(x, { k: 4, init: 'huang', nInit: 1, seed: 3 });
      const several = fitKPrototypes(x, { k: 4, init: 'huang', nInit: 6, seed: 3 });

      expect(several.cost).toBeLessThanOrEqual(single.cost);
    });

    it('runs once from initialPrototypes and warns when more restarts were requested', () => {
      const result = fitKPrototypes(bankSample, { k: bank.k, initialPrototypes: bankInitialPrototypes, nInit: 5 });

      expect(Array.from(result.labels)).toEqual(bank.result.labels);
      expect(result.warnings).toEqual(['initialPrototypes given: ran 1 initialisation instead of nInit = 5']);
    });

    it('switches to random rows, as kmodes does, when the given prototypes leave a cluster empty', () => {
      // Prototype 2 sits far from every row, so the initial assignment leaves it empty.
      const start = {
        numeric: fromRows([[0, 0, 0], [1, 1, 1], [50, 50, 50], [-1, -1, -1]]),
        modes: Int32Array.from([0, 0, 1, 1, 2, 2, 0, 3]),
      };
      const result = fitKPrototypes(x, { k: 4, initialPrototypes: start, seed: 9 });

      expect(result.warnings).toContain('the initialisation left a cluster empty 20 times; switched to random rows (as kmodes)');
      expect(Array.from(result.clusterSizes).every((size) => size > 0)).toBe(true);
    });

    it('returns one cluster per distinct row, without iterating, when the data hold at most k distinct rows', () => {
      const data: MixedMatrix = {
        numeric: fromRows([[1], [2], [1], [2], [1]]),
        categorical: { codes: Int32Array.from([0, 1, 0, 1, 0]), rows: 5, cols: 1, cardinalities: Int32Array.from([2]) },
      };
      const result = fitKPrototypes(data, { k: 3 });

      expect(Array.from(result.labels)).toEqual([0, 1, 0, 1, 0]);
      expect(Array.from(result.numericCentroids.data)).toEqual([1, 2]);
      expect(Array.from(result.modes)).toEqual([0, 1]);
      expect(result.cost).toBe(0);
      expect(result.iterations).toBe(0);
      expect(result.warnings).toEqual(['only 2 distinct rows for k = 3: returned 2 clusters, one per distinct row, without iterating']);
    });
  });

  describe('column layouts', () => {
    it('runs k-modes when the numeric part has no columns: numeric centroids k × 0 and gamma 1', () => {
      const initialModes = Int32Array.from(soybean.runs.cao.initial_modes_encoded.flat());
      const viaPrototypes = fitKPrototypes(
        { numeric: { data: new Float64Array(0), rows: soybeanCodes.rows, cols: 0 }, categorical: soybeanCodes },
        { k: 4, initialPrototypes: { numeric: { data: new Float64Array(0), rows: 4, cols: 0 }, modes: initialModes } },
      );
      const viaModes = fitKModes(soybeanCodes, { k: 4, initialModes });

      expectSameResult(viaPrototypes, viaModes);
      expect(viaModes.gamma).toBe(1);
      expect(viaModes.numericCentroids).toEqual({ data: new Float64Array(0), rows: 4, cols: 0 });
    });

    it('runs online k-means when there are no categorical columns: the cost is the inertia', () => {
      const { x } = makeMixedBlobs({ n: 200, p: 2, cardinalities: [], k: 3, seed: 4 });
      const result = fitKPrototypes(x, { k: 3, init: 'random', seed: 2 });
      let inertia = 0;
      for (let i = 0; i < 200; i++) {
        for (let j = 0; j < 2; j++) inertia += (x.numeric.data[i * 2 + j]! - result.numericCentroids.data[result.labels[i]! * 2 + j]!) ** 2;
      }

      expect(result.modes).toHaveLength(0);
      expect(isRelativelyClose(result.cost, inertia, 1e-12)).toBe(true);
    });
  });

  describe('input validation', () => {
    const { x } = makeMixedBlobs({ n: 6, p: 2, cardinalities: [3], k: 2, seed: 1 });

    it.each([
      ['k exceeds the rows', { k: 7 }, 'too_few_rows', /k = 7 exceeds the 6 rows/],
      ['k is zero', { k: 0 }, 'invalid_k', /k = 0 must be an integer ≥ 1/],
      ['nInit is zero', { k: 2, nInit: 0 }, 'invalid_option', /nInit = 0/],
      ['maxIterations is zero', { k: 2, maxIterations: 0 }, 'invalid_option', /maxIterations = 0/],
      ['gamma is negative', { k: 2, gamma: -1 }, 'invalid_option', /gamma = -1/],
      ['gamma is NaN', { k: 2, gamma: Number.NaN }, 'invalid_option', /gamma = NaN/],
      ['seed is fractional', { k: 2, seed: 1.5 }, 'invalid_option', /seed = 1\.5/],
      ['init is unknown', { k: 2, init: 'kmeans++' as 'huang' }, 'invalid_option', /init = kmeans\+\+/],
    ] satisfies [string, KPrototypesOptions, string, RegExp][])('rejects options where %s', (_, options, code, message) => {
      expectEngineError(() => fitKPrototypes(x, options), code, message);
    });

    it('rejects a categorical code outside its column’s cardinality and names row and column', () => {
      const codes = Int32Array.from(x.categorical.codes);
      codes[4] = 3;
      const bad = { ...x, categorical: { ...x.categorical, codes } };
      expectEngineError(() => fitKPrototypes(bad, { k: 2 }), 'invalid_category', /code 3 at row 4, column 0, outside \[0, 3\)/);
    });

    it('rejects NaN in the numeric part and names its row and column', () => {
      const data = Float64Array.from(x.numeric.data);
      data[3] = Number.NaN;
      expectEngineError(
        () => fitKPrototypes({ ...x, numeric: { ...x.numeric, data } }, { k: 2 }),
        'non_finite_value',
        /row 1, column 1/,
      );
    });

    it('rejects parts with different numbers of rows', () => {
      const categorical = { codes: Int32Array.from([0, 1, 2]), rows: 3, cols: 1, cardinalities: Int32Array.from([3]) };
      expectEngineError(() => fitKPrototypes({ ...x, categorical }, { k: 2 }), 'shape_mismatch', /6 rows, categorical part 3/);
    });

    it('rejects initial prototypes whose shapes are not k × p and k × q', () => {
      const numeric = fromRows([[0, 0]]);
      expectEngineError(
        () => fitKPrototypes(x, { k: 2, initialPrototypes: { numeric, modes: Int32Array.from([0, 1]) } }),
        'shape_mismatch',
        /1 × 2, expected k × p = 2 × 2/,
      );
      expectEngineError(
        () => fitKPrototypes(x, { k: 2, initialPrototypes: { numeric: fromRows([[0, 0], [1, 1]]), modes: Int32Array.from([0, 5]) } }),
        'invalid_category',
        /code 5 for cluster 1, column 0/,
      );
    });

    it('rejects data without any column', () => {
      expectEngineError(
        () => fitKPrototypes({ numeric: { data: new Float64Array(0), rows: 2, cols: 0 }, categorical: noCategories(2) }, { k: 1 }),
        'no_columns',
        /no columns/,
      );
    });
  });

  describe('on the full bank-full.csv (../shared/data/bank_marketing)', () => {
    const bankFull = readBankFull();

    it('rebuilds the fixture’s sample from the CSV with its recipe (rows i × 22, population z-scores) and fits it identically', () => {
      const rows = Array.from({ length: 2000 }, (_, i) => bankFull.records[i * 22]!);
      const numericColumns = bank.recipe.numeric_columns;
      const raw = rows.map((record) => numericColumns.map((name) => Number(record[name])));
      expect(raw).toEqual(bank.input.numeric_raw);
      const numeric = zScoresLikeNumpy(raw);
      expect(Array.from(numeric.data)).toEqual(bank.input.numeric_standardized.flat());
      const categoricalRows = rows.map((record) => bank.recipe.categorical_columns.map((name) => record[name]!));
      const categorical = encodeRows(categoricalRows, sortedDistinct(categoricalRows));

      const result = fitKPrototypes({ numeric, categorical }, { k: bank.k, initialPrototypes: bankInitialPrototypes });

      expect(Array.from(result.labels)).toEqual(bank.result.labels);
      expect(result.cost).toBe(bank.result.cost);
    });

    it('on the numeric columns of all 45,211 clients, started from SOURCE.md’s k-means centroids, lands on its segments', () => {
      // SOURCE.md: KMeans(k = 3, n_init = 10) on age, balance, campaign, duration, pdays, previous (z-scores):
      // inertia 193907.88; sizes 23,472 / 15,320 / 6,419; subscription rates 10.8 % / 9.6 % / 19.8 %.
      const columns = ['age', 'balance', 'campaign', 'duration', 'pdays', 'previous'];
      const raw = bankFull.records.map((record) => columns.map((name) => Number(record[name])));
      const { numeric, means, stds } = zScores(raw);
      const reported = [
        [34.12, 938.06, 2.48, 275.41, 2.43, 0.07],
        [51.97, 2010.91, 3.47, 231.84, 6.02, 0.13],
        [39.54, 1365.39, 2.11, 257.9, 259.9, 3.53],
      ];
      const start = fromRows(reported.map((row) => row.map((value, j) => (value - means[j]!) / stds[j]!)));
      const n = raw.length;

      const result = fitKPrototypes({ numeric, categorical: noCategories(n) }, { k: 3, initialPrototypes: { numeric: start, modes: new Int32Array(0) } });

      // The online update ends on a neighbouring local optimum, slightly better than scikit-learn's.
      expect(result.cost).toBeLessThanOrEqual(193907.88);
      expect(result.cost).toBeGreaterThan(193907.88 * 0.999);
      [23472, 15320, 6419].forEach((size, c) => expect(Math.abs(result.clusterSizes[c]! - size) / size).toBeLessThan(0.005));
      const subscribed = bankFull.records.map((record) => record.y === 'yes');
      [0.108, 0.096, 0.198].forEach((rate, c) => {
        const members = subscribed.filter((_, i) => result.labels[i] === c);
        expect(Math.abs(members.filter(Boolean).length / members.length - rate)).toBeLessThan(0.002);
      });
    });
  });
});

describe('fitKModes', () => {
  describe('against kmodes 0.12.2 on soybean (test/fixtures/reference/kmodes_soybean.json)', () => {
    for (const [name, run] of Object.entries(soybean.runs)) {
      it(`reproduces ${name} from its initial modes: labels, modes, cost, n_iter and epoch costs exactly, purity to 1e-12`, () => {
        const result = fitKModes(soybeanCodes, { k: soybean.k, initialModes: Int32Array.from(run.initial_modes_encoded.flat()) });

        expect(Array.from(result.labels)).toEqual(run.labels);
        expect(Array.from(result.modes)).toEqual(run.modes_encoded.flat());
        expect(result.cost).toBe(run.cost);
        expect(result.iterations).toBe(run.n_iter);
        expect(Array.from(result.epochCosts)).toEqual(run.epoch_costs);
        expect(Array.from(result.clusterSizes)).toEqual(run.cluster_sizes);
        expect(Math.abs(purity(result.labels, soybean.input.classes) - run.purity)).toBeLessThanOrEqual(1e-12);
        expect(result.converged).toBe(true);
      });
    }

    it('reproduces KModes(init=Cao, n_init=10): Cao is deterministic, so one run is made and a warning says so', () => {
      const expected = soybean.cao_n_init_10_random_state_0;
      const result = fitKModes(soybeanCodes, { k: soybean.k, init: 'cao', nInit: 10 });

      expect(expected.effective_n_init).toBe(1);
      expect(Array.from(result.labels)).toEqual(expected.labels);
      expect(result.cost).toBe(expected.cost);
      expect(result.iterations).toBe(expected.n_iter);
      expect(Math.abs(purity(result.labels, soybean.input.classes) - expected.purity)).toBeLessThanOrEqual(1e-12);
      expect(result.warnings).toEqual(["init 'cao' is deterministic: ran 1 initialisation instead of nInit = 10"]);
    });
  });

  it('fills a cluster the initial assignment leaves empty with codes of random rows, and still fits', () => {
    // The third starting mode equals the first, so every row prefers mode 0 and cluster 2 starts empty.
    const initialModes = Int32Array.from([
      ...soybean.runs.cao.initial_modes_encoded[0]!,
      ...soybean.runs.cao.initial_modes_encoded[1]!,
      ...soybean.runs.cao.initial_modes_encoded[0]!,
      ...soybean.runs.cao.initial_modes_encoded[3]!,
    ]);
    const result = fitKModes(soybeanCodes, { k: 4, initialModes, seed: 5 });
    const again = fitKModes(soybeanCodes, { k: 4, initialModes, seed: 5 });

    expectSameResult(again, result);
    expect(result.labels.every((label) => label >= 0 && label < 4)).toBe(true);
  });

  it.each([
    ['k exceeds the rows', { k: 48 }, 'too_few_rows', /k = 48 exceeds the 47 rows/],
    ['initialModes has the wrong length', { k: 2, initialModes: new Int32Array(3) }, 'shape_mismatch', /3 codes, expected k × q = 2 × 35/],
  ] satisfies [string, KModesOptions, string, RegExp][])('rejects input where %s', (_, options, code, message) => {
    expectEngineError(() => fitKModes(soybeanCodes, options), code, message);
  });

  it('rejects data without categorical columns', () => {
    expectEngineError(() => fitKModes(noCategories(3), { k: 1 }), 'no_columns', /x has no columns/);
  });
});

function expectSameResult(actual: KPrototypesResult, expected: KPrototypesResult): void {
  expect(isBitIdentical(actual.labels, expected.labels)).toBe(true);
  expect(isBitIdentical(actual.numericCentroids.data, expected.numericCentroids.data)).toBe(true);
  expect(isBitIdentical(actual.modes, expected.modes)).toBe(true);
  expect(isBitIdentical(actual.epochCosts, expected.epochCosts)).toBe(true);
  expect(actual.cost).toBe(expected.cost);
  expect(actual.iterations).toBe(expected.iterations);
}

interface BankFull {
  readonly records: Record<string, string>[];
}

function readBankFull(): BankFull {
  const path = sharedPath('data/bank_marketing/bank-full.csv');
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header!.split(';').map((name) => name.replaceAll('"', ''));
  const records = lines.map((line) => {
    const values = line.split(';');
    return Object.fromEntries(names.map((name, j) => [name, values[j]!.replaceAll('"', '')]));
  });
  return { records };
}

/**
 * The fixture's zscore: pandas' `to_numpy()` returns the block column-major, so numpy sums each contiguous
 * column pairwise, which is the order of the engine's columnMeansAndStds; then (x − mean) / std.
 */
function zScoresLikeNumpy(raw: number[][]) {
  const x = fromRows(raw);
  const means = new Float64Array(x.cols);
  const stds = new Float64Array(x.cols);
  columnMeansAndStds(x.data, x.rows, x.cols, means, stds);
  return fromRows(raw.map((row) => row.map((value, j) => (value - means[j]!) / stds[j]!)));
}

function zScores(raw: number[][]) {
  const n = raw.length;
  const p = raw[0]!.length;
  const means = new Float64Array(p);
  const stds = new Float64Array(p);
  for (const row of raw) row.forEach((value, j) => (means[j]! += value));
  for (let j = 0; j < p; j++) means[j]! /= n;
  for (const row of raw) row.forEach((value, j) => (stds[j]! += (value - means[j]!) * (value - means[j]!)));
  for (let j = 0; j < p; j++) stds[j] = Math.sqrt(stds[j]! / n);
  const numeric = fromRows(raw.map((row) => row.map((value, j) => (value - means[j]!) / stds[j]!)));
  return { numeric, means, stds };
}

function sortedDistinct(rows: string[][]): string[][] {
  return rows[0]!.map((_, j) => [...new Set(rows.map((row) => row[j]!))].sort());
}
