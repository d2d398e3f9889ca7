import fc from 'fast-check';
import { kmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import type { LloydIteration } from '../../../src/engine/index.ts';
import { fitKMeans, fromRows, rowToArray } from '../../../src/engine/index.ts';
import { computeCenterNorms, labelRows } from '../../../src/engine/kmeans/lloyd.ts';
import fixture from '../../fixtures/reference/kmeans_lloyd.json' with { type: 'json' };
import { isRelativelyClose, squaredDistance } from '../support/assertions.ts';
import { makeBlobs, pickRows } from '../support/blobs.ts';

describe('Lloyd iterations', () => {
  for (const runName of ['run_a', 'run_b'] as const) {
    const run = fixture[runName];

    it(`follows scikit-learn's per-iteration trace of ${runName}: changed labels exactly, inertia and centre shift to rel 1e-9`, () => {
      const progress: LloydIteration[] = [];
      fitKMeans(fromRows(fixture.input.X), {
        k: run.k,
        initialCenters: fromRows(run.initial_centroids),
        onIteration: (p) => progress.push(p),
      });

      expect(progress.map((p) => p.iteration)).toEqual(run.trace.map((t) => t.iteration));
      expect(progress.map((p) => p.changedLabels)).toEqual(run.trace.map((t) => t.n_changed));
      progress.forEach((p, i) => {
        const expected = run.trace[i]!;
        expect(isRelativelyClose(p.inertia, expected.inertia_at_assignment, 1e-9)).toBe(true);
        expect(Math.abs(p.centerShiftSq - expected.center_shift_sq)).toBeLessThanOrEqual(1e-9 * expected.center_shift_sq + 1e-15);
      });
    });
  }

  it('reaches the same centroids as ml-kmeans from the same start (1e-9)', () => {
    // Oracle: ml-kmeans runs plain Lloyd until no centre moves at all; with tolerance 0 ours stops only on
    // unchanged labels or an exactly zero shift, so both end at the same fixed point.
    const k = 5;
    const { x } = makeBlobs({ n: 600, d: 4, k, seed: 21, centerSpread: 3 });
    const start = pickRows(x, [0, 1, 2, 3, 4]);
    const rows = Array.from({ length: x.rows }, (_, i) => rowToArray(x, i));
    const startRows = Array.from({ length: k }, (_, c) => rowToArray(start, c));

    const ours = fitKMeans(x, { k, initialCenters: start, tolerance: 0 });
    const oracle = kmeans(rows, k, { initialization: startRows, tolerance: 0, maxIterations: 1000 });

    expect(ours.converged).toBe(true);
    expect(ours.iterations).toBeGreaterThan(2);
    expect(Array.from(ours.labels)).toEqual(oracle.clusters);
    for (let c = 0; c < k; c++) {
      rowToArray(ours.centers, c).forEach((value, j) => expect(Math.abs(value - oracle.centroids[c]![j]!)).toBeLessThanOrEqual(1e-9));
    }
  });

  it('inertia never increases across Lloyd iterations', () => {
    // Each step can only lower Σ‖x − c‖² (assignment picks the nearest centre, the mean minimises the
    // squared distances, relocation sets a row's cost to 0); 1e-12 relative slack absorbs rounding.
    fc.assert(
      fc.property(blobSpec, fc.nat(), ({ n, d, k, seed }, fitSeed) => {
        const { x } = makeBlobs({ n, d, k, seed, centerSpread: 1.5 });
        const byRun = new Map<number, number[]>();
        const result = fitKMeans(x, {
          k,
          seed: fitSeed,
          nInit: 2,
          tolerance: 0,
          onIteration: (p) => byRun.set(p.run, [...(byRun.get(p.run) ?? []), p.inertia]),
        });
        for (const inertias of byRun.values()) {
          for (let t = 1; t < inertias.length; t++) {
            if (inertias[t]! > inertias[t - 1]! * (1 + 1e-12)) return false;
          }
        }
        const bestRunLast = Math.min(...[...byRun.values()].map((inertias) => inertias.at(-1)!));
        return result.inertia <= bestRunLast * (1 + 1e-12);
      }),
    );
  });

  it('inertia never increases while empty clusters are being relocated among duplicate rows', () => {
    // Once found by a random run: pure clusters whose inertia is rounding noise.
    const start = fromRows(Array.from({ length: 6 }, () => [6]));
    const inertias: number[] = [];
    fitKMeans(fromRows([1, 5, 1, 6, 2, 2, 5, 2, 6].map((v) => [v])), { k: 6, initialCenters: start, onIteration: (p) => inertias.push(p.inertia) });
    expect(inertias.at(-1)).toBeLessThan(1e-20);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 8, maxLength: 40 }),
        fc.integer({ min: 2, max: 6 }),
        (values, k) => {
          const x = fromRows(values.map((v) => [v]));
          // All starts on the largest value: every cluster but one is empty after the first assignment.
          const top = Math.max(...values);
          const start = fromRows(Array.from({ length: k }, () => [top]));
          const inertias: number[] = [];
          fitKMeans(x, { k, initialCenters: start, onIteration: (p) => inertias.push(p.inertia) });
          // Rounding slack relative to the first inertia: once every cluster is pure the inertia is
          // rounding noise (a centre of 2.0000000000000004 gives ~1e-31), which may wobble.
          const slack = inertias[0]! * 1e-12;
          return inertias.every((value, t) => t === 0 || value <= inertias[t - 1]! * (1 + 1e-12) + slack);
        },
      ),
    );
  });
});

describe('labelRows', () => {
  it('labels every row like a plain nearest-centre scan, for any row count and any k (blocked kernel equivalence)', () => {
    // The kernel takes rows two at a time and centres four at a time; odd n and k mod 4 ≠ 0 exercise the remainders.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 41 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 11 }),
        fc.nat(),
        (n, d, k, seed) => {
          const { x } = makeBlobs({ n: n + k, d, k, seed, centerSpread: 1 });
          const centers = pickRows(x, Array.from({ length: k }, (_, c) => n + c));
          const rows = pickRows(x, Array.from({ length: n }, (_, i) => i));
          const norms = new Float64Array(k);
          computeCenterNorms(centers.data, k, d, norms);
          const labels = new Int32Array(n).fill(-1);

          const changed = labelRows(rows.data, n, d, k, new Float64Array(d), centers.data, norms, new Float64Array(2 * d), labels);

          expect(changed).toBe(n);
          for (let i = 0; i < n; i++) {
            let nearest = 0;
            for (let c = 1; c < k; c++) {
              if (squaredDistance(rows, i, centers, c) < squaredDistance(rows, i, centers, nearest)) nearest = c;
            }
            expect(labels[i]).toBe(nearest);
          }
        },
      ),
    );
  });

  it('counts only the labels that change', () => {
    const x = fromRows([[0], [1], [9], [10], [11]]);
    const centers = fromRows([[0], [10]]);
    const norms = new Float64Array(2);
    computeCenterNorms(centers.data, 2, 1, norms);
    const labels = Int32Array.from([0, 1, 1, 0, 1]);

    const changed = labelRows(x.data, 5, 1, 2, new Float64Array(1), centers.data, norms, new Float64Array(2), labels);

    expect(Array.from(labels)).toEqual([0, 0, 1, 1, 1]);
    expect(changed).toBe(2);
  });
});

/** Shapes and seeds of overlapping Gaussian blobs. */
const blobSpec = fc.record({
  n: fc.integer({ min: 20, max: 150 }),
  d: fc.integer({ min: 1, max: 5 }),
  k: fc.integer({ min: 1, max: 7 }),
  seed: fc.nat(),
});
