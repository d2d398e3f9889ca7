import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DenseMatrix, KMeansOptions } from '../../../src/engine/index.ts';
import { adjustedRandIndex, assignToNearest, fitKMeans, fromRows } from '../../../src/engine/index.ts';
import fixture from '../../fixtures/reference/kmeans_lloyd.json' with { type: 'json' };
import { expectEngineError, isBitIdentical, isRelativelyClose, squaredDistance } from '../support/assertions.ts';
import { makeBlobs, pickRows } from '../support/blobs.ts';

const referenceX = fromRows(fixture.input.X);

describe('fitKMeans', () => {
  describe('hand-worked cases', () => {
    // Two triangles; both starting centres sit in the left one, so the right one is won over in two steps.
    // Iteration 1: labels [0,1,0,1,1,1], centres (0, ½) and (17/4, 4).
    // Iteration 2: B moves to cluster 0; centres (⅓, ⅓) and (16/3, 16/3).
    // Iteration 3: no label changes (strict convergence). Inertia 2 × (2/9 + 5/9 + 5/9) = 8/3.
    const triangles = fromRows([
      [0, 0],
      [1, 0],
      [0, 1],
      [5, 5],
      [6, 5],
      [5, 6],
    ]);
    const leftStart = fromRows([
      [0, 0],
      [1, 0],
    ]);

    it('moves centres to the cluster means and stops when no label changes', () => {
      const result = fitKMeans(triangles, { k: 2, initialCenters: leftStart });

      expect(Array.from(result.labels)).toEqual([0, 0, 0, 1, 1, 1]);
      expect(Array.from(result.clusterSizes)).toEqual([3, 3]);
      const expectedCenters = [1 / 3, 1 / 3, 16 / 3, 16 / 3];
      result.centers.data.forEach((value, i) => expect(value).toBeCloseTo(expectedCenters[i]!, 12));
      expect(result.inertia).toBeCloseTo(8 / 3, 12);
      expect(result.iterations).toBe(3);
      expect(result.converged).toBe(true);
      expect(result.warnings).toEqual([]);
    });

    it('reports each iteration with the inertia of its assignment, the squared centre shift and the changed labels', () => {
      const progress: { inertia: number; centerShiftSq: number; changedLabels: number }[] = [];
      fitKMeans(triangles, { k: 2, initialCenters: leftStart, onIteration: (p) => progress.push(p) });

      // Inertias: 0+0+1+41+50+52; then against (0, ½) and (17/4, 4); then 8/3.
      const expected = [
        { inertia: 144, centerShiftSq: 1 / 4 + (13 / 4) ** 2 + 16, changedLabels: 6 },
        { inertia: 11.9375, centerShiftSq: 5 / 36 + 425 / 144, changedLabels: 1 },
        { inertia: 8 / 3, centerShiftSq: 0, changedLabels: 0 },
      ];
      expect(progress).toHaveLength(3);
      progress.forEach((p, i) => {
        expect(p.inertia).toBeCloseTo(expected[i]!.inertia, 12);
        expect(p.centerShiftSq).toBeCloseTo(expected[i]!.centerShiftSq, 12);
        expect(p.changedLabels).toBe(expected[i]!.changedLabels);
      });
    });

    it('after a tolerance stop, assigns the rows again so the labels match the returned centres', () => {
      // Mean column variance 6.47, so tolerance 5 allows a squared shift of 32.4 and the run stops after
      // iteration 1 (shift 26.8) with centres (0, ½) and (17/4, 4); row B = (1, 0) is then nearer the first.
      const result = fitKMeans(triangles, { k: 2, initialCenters: leftStart, tolerance: 5 });

      expect(result.iterations).toBe(1);
      expect(result.converged).toBe(true);
      expect(Array.from(result.labels)).toEqual([0, 0, 0, 1, 1, 1]);
      const expectedCenters = [0, 0.5, 4.25, 4];
      result.centers.data.forEach((value, i) => expect(value).toBeCloseTo(expectedCenters[i]!, 12));
      expect(result.inertia).toBeCloseTo(11.9375, 12);
    });

    it('moves an empty cluster to the row farthest from its centre, then stops on the shift tolerance', () => {
      // Start (100) attracts nothing; the farthest row from centre 1 is 10, so cluster 0 restarts there.
      // Iteration 2 moves row 3 to cluster 0 but no centre moves, so the tolerance rule stops the run.
      const x = fromRows([[0], [1], [2], [10]]);
      const result = fitKMeans(x, { k: 2, initialCenters: fromRows([[100], [1]]) });

      expect(Array.from(result.labels)).toEqual([1, 1, 1, 0]);
      expect(Array.from(result.centers.data)).toEqual([10, 1]);
      expect(result.inertia).toBe(2);
      expect(result.iterations).toBe(2);
      expect(result.converged).toBe(true);
    });

    it('warns when duplicate rows leave fewer distinct clusters than k', () => {
      const x = fromRows([
        [3, 3],
        [3, 3],
        [3, 3],
        [3, 3],
      ]);
      const result = fitKMeans(x, { k: 2 });

      expect(Array.from(result.clusterSizes)).toEqual([4, 0]);
      expect(result.inertia).toBe(0);
      expect(result.warnings).toEqual([
        'fewer distinct clusters than k: found 1 of k = 2, possibly due to duplicate rows',
      ]);
    });

    it('puts every row in one cluster at the mean when k is 1', () => {
      const x = fromRows([[1, 10], [2, 20], [6, 30]]);
      const result = fitKMeans(x, { k: 1 });

      expect(Array.from(result.labels)).toEqual([0, 0, 0]);
      expect(result.centers.data[0]).toBeCloseTo(3, 12);
      expect(result.centers.data[1]).toBeCloseTo(20, 12);
      expect(result.inertia).toBeCloseTo(4 + 1 + 9 + 100 + 0 + 100, 10);
    });
  });

  describe('against scikit-learn 1.2.1 (test/fixtures/reference/kmeans_lloyd.json)', () => {
    for (const runName of ['run_a', 'run_b'] as const) {
      const run = fixture[runName];

      it(`reproduces ${runName} (k = ${run.k}) from its initial centroids: labels, n_iter and sizes exactly, centroids to 1e-9, inertia to rel 1e-9`, () => {
        const result = fitKMeans(referenceX, { k: run.k, initialCenters: fromRows(run.initial_centroids) });

        expect(Array.from(result.labels)).toEqual(run.labels);
        expect(result.iterations).toBe(run.n_iter);
        expect(Array.from(result.clusterSizes)).toEqual(run.cluster_sizes);
        const expectedCenters = run.centroids.flat();
        result.centers.data.forEach((value, i) => expect(Math.abs(value - expectedCenters[i]!)).toBeLessThanOrEqual(1e-9));
        expect(isRelativelyClose(result.inertia, run.inertia, 1e-9)).toBe(true);
        expect(result.converged).toBe(true);
      });
    }
  });

  describe('options', () => {
    it('stops at maxIterations, reports non-convergence and warns', () => {
      const run = fixture.run_a;
      const result = fitKMeans(referenceX, { k: run.k, initialCenters: fromRows(run.initial_centroids), maxIterations: 2 });

      expect(result.iterations).toBe(2);
      expect(result.converged).toBe(false);
      expect(result.warnings).toEqual(['stopped at maxIterations = 2 before convergence']);
    });

    it('stops on the shift rule once the squared centre shift is within tolerance × mean column variance', () => {
      // run_a's trace: the shift of iteration 7 is 0.00138; the data are standardised (mean variance 1).
      const run = fixture.run_a;
      const result = fitKMeans(referenceX, { k: run.k, initialCenters: fromRows(run.initial_centroids), tolerance: 0.002 });

      expect(result.iterations).toBe(7);
      expect(result.converged).toBe(true);
    });

    it('never returns a higher inertia with more restarts than its first restart alone', () => {
      const { x } = makeBlobs({ n: 300, d: 3, k: 6, seed: 5, centerSpread: 3 });
      const single = fitKMeans(x, { k: 6, seed: 11, nInit: 1 });
      const several = fitKMeans(x, { k: 6, seed: 11, nInit: 8 });

      expect(several.inertia).toBeLessThanOrEqual(single.inertia);
    });

    it('runs once from initialCenters and warns when more restarts were requested', () => {
      const run = fixture.run_b;
      const starts: number[] = [];
      const result = fitKMeans(referenceX, {
        k: run.k,
        initialCenters: fromRows(run.initial_centroids),
        nInit: 4,
        onIteration: (p) => starts.push(p.run),
      });

      expect(new Set(starts)).toEqual(new Set([0]));
      expect(result.warnings).toEqual(['initialCenters given: ran 1 initialisation instead of nInit = 4']);
    });
  });

  describe('input validation', () => {
    const fiveRows = fromRows([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5]]);

    it.each([
      ['k exceeds the rows', { k: 8 }, 'too_few_rows', /k = 8 exceeds the 5 rows/],
      ['k is zero', { k: 0 }, 'invalid_k', /k = 0 must be an integer ≥ 1/],
      ['k is not an integer', { k: 2.5 }, 'invalid_k', /k = 2\.5/],
      ['nInit is zero', { k: 2, nInit: 0 }, 'invalid_option', /nInit = 0/],
      ['maxIterations is fractional', { k: 2, maxIterations: 1.5 }, 'invalid_option', /maxIterations = 1\.5/],
      ['tolerance is negative', { k: 2, tolerance: -1 }, 'invalid_option', /tolerance = -1/],
      ['seed is negative', { k: 2, seed: -3 }, 'invalid_option', /seed = -3/],
    ] satisfies [string, KMeansOptions, string, RegExp][])('rejects options where %s', (_, options, code, message) => {
      expectEngineError(() => fitKMeans(fiveRows, options), code, message);
    });

    it.each([
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ])('rejects %s in x and names its row and column', (_, value) => {
      const x = fromRows([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5]]);
      x.data[2 * 2 + 1] = value;
      expectEngineError(() => fitKMeans(x, { k: 2 }), 'non_finite_value', /row 2, column 1/);
    });

    it('rejects initialCenters whose shape is not k × d and states both shapes', () => {
      const threeByTwo = fromRows([[0, 0], [1, 1], [2, 2]]);
      expectEngineError(
        () => fitKMeans(fiveRows, { k: 2, initialCenters: threeByTwo }),
        'shape_mismatch',
        /initialCenters is 3 × 2, expected k × d = 2 × 2/,
      );
    });

    it('rejects initialCenters holding a non-finite value', () => {
      const centers = fromRows([[0, 0], [1, Number.NaN]]);
      expectEngineError(
        () => fitKMeans(fiveRows, { k: 2, initialCenters: centers }),
        'non_finite_value',
        /initialCenters .* row 1, column 1/,
      );
    });

    it('rejects a matrix whose storage length differs from rows × cols', () => {
      const broken: DenseMatrix = { data: new Float64Array(7), rows: 4, cols: 2 };
      expectEngineError(() => fitKMeans(broken, { k: 2 }), 'shape_mismatch', /7 values, expected 4 × 2 = 8/);
    });

    it('rejects a matrix without rows', () => {
      expectEngineError(() => fitKMeans({ data: new Float64Array(0), rows: 0, cols: 3 }, { k: 1 }), 'too_few_rows', /no rows/);
    });
  });

  describe('properties', () => {
    it('labels lie in [0, k) and cluster sizes count them, even with many duplicate rows', () => {
      fc.assert(
        fc.property(smallGridData, fc.nat({ max: 30 }), fc.nat(), ({ x }, kSeed, seed) => {
          const k = 1 + (kSeed % x.rows);
          const result = fitKMeans(x, { k, seed, nInit: 2 });
          const counts = new Int32Array(k);
          for (const label of result.labels) {
            if (label < 0 || label >= k) return false;
            counts[label]!++;
          }
          return isBitIdentical(counts, result.clusterSizes) && result.inertia >= 0 && Number.isFinite(result.inertia);
        }),
      );
    });

    it('permuting rows permutes labels and nothing else', () => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), ({ n, d, k, seed }, permutationSeed) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
          const start = pickRows(x, Array.from({ length: k }, (_, c) => c));
          const order = shuffledIndices(n, permutationSeed);
          const permuted = pickRows(x, order);

          const original = fitKMeans(x, { k, initialCenters: start });
          const moved = fitKMeans(permuted, { k, initialCenters: start });

          expect(Array.from(moved.labels)).toEqual(order.map((row) => original.labels[row]));
          expect(moved.iterations).toBe(original.iterations);
          moved.centers.data.forEach((value, i) => expect(value).toBeCloseTo(original.centers.data[i]!, 9));
          expect(isRelativelyClose(moved.inertia, original.inertia, 1e-9)).toBe(true);
        }),
        { numRuns: 40 },
      );
    });

    it('assigns every training row to its nearest centre after convergence, whichever rule stopped it', () => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), fc.constantFrom(0, 1e-4, 1e-2, 0.5), ({ n, d, k, seed }, fitSeed, tolerance) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
          const result = fitKMeans(x, { k, seed: fitSeed, nInit: 1, tolerance });
          fc.pre(result.converged);
          for (let i = 0; i < n; i++) {
            const own = squaredDistance(x, i, result.centers, result.labels[i]!);
            for (let c = 0; c < k; c++) {
              if (own > squaredDistance(x, i, result.centers, c) * (1 + 1e-12) + 1e-12) return false;
            }
          }
          return true;
        }),
        { numRuns: 40 },
      );
    });

    it('the same seed reproduces the fit bit for bit', () => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), ({ n, d, k, seed }, fitSeed) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
          const first = fitKMeans(x, { k, seed: fitSeed });
          const second = fitKMeans(x, { k, seed: fitSeed });
          return (
            isBitIdentical(first.labels, second.labels) &&
            isBitIdentical(first.centers.data, second.centers.data) &&
            Object.is(first.inertia, second.inertia) &&
            first.iterations === second.iterations
          );
        }),
        { numRuns: 30 },
      );
    });

    it('a fit from initial centres does not depend on the seed', () => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), fc.nat(), ({ n, d, k, seed }, seedA, seedB) => {
          const { x } = makeBlobs({ n, d, k, seed });
          const start = pickRows(x, Array.from({ length: k }, (_, c) => c));
          const a = fitKMeans(x, { k, initialCenters: start, seed: seedA });
          const b = fitKMeans(x, { k, initialCenters: start, seed: seedB });
          return isBitIdentical(a.labels, b.labels) && isBitIdentical(a.centers.data, b.centers.data);
        }),
        { numRuns: 20 },
      );
    });

    it('scaling every feature by a power of two leaves the partition unchanged and scales the centres', () => {
      // A power of two scales every sum, mean, norm, draw and threshold exactly, so even exact ties
      // (common on this integer grid) break the same way; any other constant may flip a tie.
      fc.assert(
        fc.property(
          smallGridData,
          fc.constantFrom(1 / 1024, 0.25, 2, 8, 4096),
          fc.nat({ max: 30 }),
          fc.nat(),
          ({ x }, scale, kSeed, seed) => {
            const k = 1 + (kSeed % x.rows);
            const scaled: DenseMatrix = { data: x.data.map((value) => value * scale), rows: x.rows, cols: x.cols };
            const original = fitKMeans(x, { k, seed });
            const result = fitKMeans(scaled, { k, seed });
            return (
              isBitIdentical(original.labels, result.labels) &&
              isBitIdentical(original.centers.data.map((value) => value * scale), result.centers.data) &&
              adjustedRandIndex(original.labels, result.labels) === 1
            );
          },
        ),
      );
    });
  });
});


function shuffledIndices(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  // Deterministic shuffle from a 32-bit LCG: enough to scramble row order in a test.
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Up to 40 rows of 1–4 columns on a coarse grid of sixteenths: many duplicates and exact ties. */
const smallGridData = fc
  .record({ n: fc.integer({ min: 1, max: 40 }), d: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, d }) =>
    fc
      .array(fc.integer({ min: -64, max: 64 }), { minLength: n * d, maxLength: n * d })
      .map((values) => ({ x: { data: Float64Array.from(values, (v) => v / 16), rows: n, cols: d } as DenseMatrix })),
  );

/** Shapes and seeds of overlapping Gaussian blobs (centre spread 2, noise 1), so Lloyd needs several iterations. */
const blobSpec = fc.record({
  n: fc.integer({ min: 20, max: 150 }),
  d: fc.integer({ min: 1, max: 5 }),
  k: fc.integer({ min: 1, max: 7 }),
  seed: fc.nat(),
});

describe('assignToNearest', () => {
  it('writes each row’s nearest centre and squared distance and returns their sum', () => {
    const x = fromRows([[0, 0], [4, 0], [9, 1], [5, 5]]);
    const centers = fromRows([[0, 0], [10, 0]]);
    const labels = new Int32Array(4);
    const distances = new Float64Array(4);

    const inertia = assignToNearest(x, centers, labels, distances);

    expect(Array.from(labels)).toEqual([0, 0, 1, 0]);
    expect(Array.from(distances)).toEqual([0, 16, 2, 50]);
    expect(inertia).toBe(68);
  });

  it('breaks an exact tie towards the lower centre index', () => {
    const labels = new Int32Array(1);
    assignToNearest(fromRows([[5, 0]]), fromRows([[10, 0], [0, 0]]), labels, new Float64Array(1));
    expect(labels[0]).toBe(0);
  });

  it('reproduces the training labels and inertia of a fit on data far from the origin', () => {
    // Shifted by 1e6: the ‖c‖² − 2x·c expansion would lose the blobs' detail without centring.
    const { x } = makeBlobs({ n: 400, d: 3, k: 4, seed: 2, centerSpread: 3 });
    const farAway = { ...x, data: x.data.map((value) => value + 1e6) };
    const fit = fitKMeans(farAway, { k: 4, seed: 1 });
    const labels = new Int32Array(400);

    const inertia = assignToNearest(farAway, fit.centers, labels, new Float64Array(400));

    expect(Array.from(labels)).toEqual(Array.from(fit.labels));
    expect(isRelativelyClose(inertia, fit.inertia, 1e-9)).toBe(true);
  });

  it('rejects centres with a different number of columns', () => {
    expectEngineError(
      () => assignToNearest(fromRows([[0, 0]]), fromRows([[0, 0, 0]]), new Int32Array(1), new Float64Array(1)),
      'shape_mismatch',
      /centers have 3 columns, x has 2/,
    );
  });

  it('rejects output buffers that do not hold one entry per row', () => {
    expectEngineError(
      () => assignToNearest(fromRows([[0], [1]]), fromRows([[0]]), new Int32Array(1), new Float64Array(2)),
      'shape_mismatch',
      /outLabels has 1 and outDistances 2 entries, expected 2/,
    );
  });
});
