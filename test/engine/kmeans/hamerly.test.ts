import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DenseMatrix, KMeansResult, LloydIteration } from '../../../src/engine/index.ts';
import { CHUNK_ROWS, fitKMeans, fromRows } from '../../../src/engine/index.ts';
import fixture from '../../fixtures/reference/kmeans_lloyd.json' with { type: 'json' };
import { isRelativelyClose } from '../support/assertions.ts';
import { makeBlobs, pickRows } from '../support/blobs.ts';

/** Fits from the same start with both assignment steps, tracing every iteration. */
function fitBoth(x: DenseMatrix, k: number, start: DenseMatrix, tolerance?: number) {
  const trace = { lloyd: [] as LloydIteration[], hamerly: [] as LloydIteration[] };
  const lloyd = fitKMeans(x, { k, initialCenters: start, tolerance, algorithm: 'lloyd', onIteration: (p) => trace.lloyd.push(p) });
  const hamerly = fitKMeans(x, { k, initialCenters: start, tolerance, algorithm: 'hamerly', onIteration: (p) => trace.hamerly.push(p) });
  return { lloyd, hamerly, trace };
}

/** The largest |a − b| over the centre coordinates. */
function maxCenterDifference(a: KMeansResult, b: KMeansResult): number {
  let largest = 0;
  a.centers.data.forEach((value, i) => {
    largest = Math.max(largest, Math.abs(value - b.centers.data[i]!));
  });
  return largest;
}

describe("Hamerly's assignment step", () => {
  const datasets = [
    { name: 'overlapping blobs, 3 chunks', n: 2 * CHUNK_ROWS + 123, d: 5, k: 7, seed: 3, centerSpread: 1.2 },
    { name: 'separated blobs', n: 3000, d: 3, k: 4, seed: 8, centerSpread: 6 },
    { name: 'many clusters in one dimension', n: 1500, d: 1, k: 9, seed: 5, centerSpread: 3 },
    { name: 'more clusters than blobs', n: 5000, d: 12, k: 8, seed: 13, centerSpread: 1.5 },
  ] as const;

  for (const { name, n, d, k, seed, centerSpread } of datasets) {
    it(`gives Lloyd's labels, iterations and per-iteration changes from the same start, centres within 1e-9 (${name})`, () => {
      const { x } = makeBlobs({ n, d, k: Math.min(k, 6), seed, centerSpread });
      const start = pickRows(x, Array.from({ length: k }, (_, c) => c * 7));
      const { lloyd, hamerly, trace } = fitBoth(x, k, start);

      expect(lloyd.iterations).toBeGreaterThan(3);
      expect(hamerly.iterations).toBe(lloyd.iterations);
      expect(hamerly.converged).toBe(lloyd.converged);
      expect(Array.from(hamerly.labels)).toEqual(Array.from(lloyd.labels));
      expect(maxCenterDifference(hamerly, lloyd)).toBeLessThanOrEqual(1e-9);
      expect(isRelativelyClose(hamerly.inertia, lloyd.inertia, 1e-12)).toBe(true);
      expect(trace.hamerly.map((p) => p.changedLabels)).toEqual(trace.lloyd.map((p) => p.changedLabels));
      trace.hamerly.forEach((p, t) => {
        expect(isRelativelyClose(p.inertia, trace.lloyd[t]!.inertia, 1e-12)).toBe(true);
        expect(Math.abs(p.centerShiftSq - trace.lloyd[t]!.centerShiftSq)).toBeLessThanOrEqual(1e-9 * trace.lloyd[t]!.centerShiftSq + 1e-18);
      });
    });
  }

  it('reproduces the first iteration of Lloyd bit for bit, centres included', () => {
    // Both sum the same rows in the same order on the first pass; later sums are updated incrementally.
    const { x } = makeBlobs({ n: CHUNK_ROWS + 500, d: 4, k: 5, seed: 2, centerSpread: 1.5 });
    const start = pickRows(x, [0, 1, 2, 3, 4]);
    const lloyd = fitKMeans(x, { k: 5, initialCenters: start, maxIterations: 1, algorithm: 'lloyd' });
    const hamerly = fitKMeans(x, { k: 5, initialCenters: start, maxIterations: 1, algorithm: 'hamerly' });

    expect(Array.from(hamerly.centers.data)).toEqual(Array.from(lloyd.centers.data));
    expect(Array.from(hamerly.labels)).toEqual(Array.from(lloyd.labels));
    expect(hamerly.inertia).toBe(lloyd.inertia);
  });

  for (const runName of ['run_a', 'run_b'] as const) {
    const run = fixture[runName];

    it(`reproduces scikit-learn's ${runName} (k = ${run.k}): labels and n_iter exactly, centroids to 1e-9`, () => {
      const result = fitKMeans(fromRows(fixture.input.X), {
        k: run.k,
        initialCenters: fromRows(run.initial_centroids),
        algorithm: 'hamerly',
      });

      expect(Array.from(result.labels)).toEqual(run.labels);
      expect(result.iterations).toBe(run.n_iter);
      run.centroids.flat().forEach((value, i) => expect(Math.abs(result.centers.data[i]! - value)).toBeLessThanOrEqual(1e-9));
      expect(isRelativelyClose(result.inertia, run.inertia, 1e-9)).toBe(true);
    });
  }

  it('relocates empty clusters as Lloyd does', () => {
    // Every start on the largest value: all clusters but one are empty after the first assignment.
    // Duplicate rows make exact ties common, so this also checks that the incremental sums round to
    // Lloyd's (a residue of one unit in the last place would break a tie the other way).
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 8, maxLength: 40 }), fc.integer({ min: 2, max: 6 }), (values, k) => {
        const x = fromRows(values.map((value) => [value + 0.001 * (value % 3)]));
        const top = Math.max(...x.data);
        const start = fromRows(Array.from({ length: k }, () => [top]));
        const { lloyd, hamerly, trace } = fitBoth(x, k, start);
        expect(Array.from(hamerly.labels)).toEqual(Array.from(lloyd.labels));
        expect(hamerly.iterations).toBe(lloyd.iterations);
        expect(trace.hamerly.map((p) => p.changedLabels)).toEqual(trace.lloyd.map((p) => p.changedLabels));
        expect(Array.from(hamerly.centers.data)).toEqual(Array.from(lloyd.centers.data));
      }),
    );
  });

  it('gives the same labels, iterations and centres (1e-9) as Lloyd on any blobs, start and tolerance', () => {
    fc.assert(
      fc.property(blobSpec, fc.nat(), fc.constantFrom(0, 1e-4, 1e-2), ({ n, d, k, seed, centerSpread }, startSeed, tolerance) => {
        const { x } = makeBlobs({ n, d, k, seed, centerSpread });
        const start = pickRows(x, Array.from({ length: k }, (_, c) => (startSeed + c * 11) % n));
        const { lloyd, hamerly } = fitBoth(x, k, start, tolerance);
        expect(Array.from(hamerly.labels)).toEqual(Array.from(lloyd.labels));
        expect(hamerly.iterations).toBe(lloyd.iterations);
        expect(hamerly.converged).toBe(lloyd.converged);
        expect(maxCenterDifference(hamerly, lloyd)).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('breaks exact ties towards the lower centre index, as Lloyd', () => {
    // Row 1 sits exactly halfway between the two centres at every iteration.
    const x = fromRows([[-1], [0], [1], [-1.5], [1.5]]);
    const start = fromRows([[-1], [1]]);
    const { lloyd, hamerly } = fitBoth(x, 2, start);
    expect(Array.from(hamerly.labels)).toEqual([0, 0, 1, 0, 1]);
    expect(Array.from(hamerly.labels)).toEqual(Array.from(lloyd.labels));
  });

  it('keeps every row in its cluster when k is 1', () => {
    const { x } = makeBlobs({ n: 300, d: 2, k: 3, seed: 1 });
    const result = fitKMeans(x, { k: 1, algorithm: 'hamerly' });
    expect(result.labels.every((label) => label === 0)).toBe(true);
    expect(result.iterations).toBe(2);
  });
});

/** Shapes, seeds and spreads of Gaussian blobs, from overlapping to separated. */
const blobSpec = fc.record({
  n: fc.integer({ min: 20, max: 200 }),
  d: fc.integer({ min: 1, max: 6 }),
  k: fc.integer({ min: 1, max: 8 }),
  seed: fc.nat(),
  centerSpread: fc.constantFrom(0.5, 1.5, 4),
});
