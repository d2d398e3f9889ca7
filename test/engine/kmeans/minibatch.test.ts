import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, fitKMeans, fitMiniBatchKMeans, fromRows } from '../../../src/engine/index.ts';
import { expectEngineError, isBitIdentical, squaredDistance } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

describe('fitMiniBatchKMeans', () => {
  // Well separated: blob centres 10 sd apart on average, so full k-means finds the blobs.
  const separated = makeBlobs({ n: 30_000, d: 6, k: 6, seed: 11, centerSpread: 10 });

  it('finds the partition of full k-means on well separated blobs: ARI ≥ 0.99 and inertia within 1%', () => {
    const full = fitKMeans(separated.x, { k: 6, seed: 1 });
    for (const seed of [1, 2, 3]) {
      const result = fitMiniBatchKMeans(separated.x, { k: 6, seed });
      expect(adjustedRandIndex(result.labels, full.labels)).toBeGreaterThanOrEqual(0.99);
      expect(result.inertia).toBeLessThanOrEqual(full.inertia * 1.01);
      expect(result.converged).toBe(true);
      expect(result.steps).toBeLessThan(Math.floor((100 * 30_000) / 1024));
    }
  });

  it('the same seed reproduces the fit bit for bit', () => {
    const a = fitMiniBatchKMeans(separated.x, { k: 6, seed: 7, batchSize: 256 });
    const b = fitMiniBatchKMeans(separated.x, { k: 6, seed: 7, batchSize: 256 });
    expect(isBitIdentical(a.labels, b.labels)).toBe(true);
    expect(isBitIdentical(a.centers.data, b.centers.data)).toBe(true);
    expect(Object.is(a.inertia, b.inertia)).toBe(true);
    expect(a.steps).toBe(b.steps);
  });

  it('labels every row with its nearest centre and reports the inertia of all rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 300 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (n, d, k, seed) => {
        const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
        const result = fitMiniBatchKMeans(x, { k, seed, batchSize: 32 });
        let inertia = 0;
        for (let i = 0; i < n; i++) {
          const own = squaredDistance(x, i, result.centers, result.labels[i]!);
          inertia += own;
          for (let c = 0; c < k; c++) {
            if (own > squaredDistance(x, i, result.centers, c) * (1 + 1e-12) + 1e-12) return false;
          }
        }
        return Math.abs(inertia - result.inertia) <= 1e-9 * inertia + 1e-12 && result.iterations === Math.ceil((result.steps * Math.min(32, n)) / n);
      }),
      { numRuns: 40 },
    );
  });

  it('moves each centre to the running mean of all rows ever assigned to it (learning rate 1 / count)', () => {
    // One cluster, batches of the whole (one-row) data set: every step adds the same row, so the centre
    // is that row after the first step and stays there.
    const x = fromRows([[3, -1]]);
    const result = fitMiniBatchKMeans(x, { k: 1, initialCenters: fromRows([[100, 100]]), maxIterations: 5, maxNoImprovement: 0 });
    expect(Array.from(result.centers.data)).toEqual([3, -1]);
    expect(result.steps).toBe(5);
    expect(result.converged).toBe(false);
    expect(result.warnings[0]).toMatch(/stopped after maxIterations = 5 passes/);
  });

  it('stops once the smoothed batch inertia has not improved for maxNoImprovement steps', () => {
    const patient = fitMiniBatchKMeans(separated.x, { k: 6, seed: 5, maxNoImprovement: 30 });
    const eager = fitMiniBatchKMeans(separated.x, { k: 6, seed: 5, maxNoImprovement: 3 });
    expect(eager.steps).toBeLessThan(patient.steps);
    expect(eager.converged).toBe(true);
  });

  it('moves a centre that attracts no rows onto the data unless reassignment is disabled', () => {
    // The start puts centre 2 far from every row, so it never wins a row on its own.
    const { x } = makeBlobs({ n: 3000, d: 2, k: 3, seed: 4, centerSpread: 8 });
    const start = fromRows([
      [x.data[0]!, x.data[1]!],
      [x.data[2]!, x.data[3]!],
      [1e4, 1e4],
    ]);
    const reassigned = fitMiniBatchKMeans(x, { k: 3, seed: 1, batchSize: 200, initialCenters: start });
    const kept = fitMiniBatchKMeans(x, { k: 3, seed: 1, batchSize: 200, initialCenters: start, reassignmentRatio: 0 });

    expect(Array.from(reassigned.clusterSizes).every((size) => size > 0)).toBe(true);
    expect(kept.clusterSizes[2]).toBe(0);
    expect(kept.warnings).toContain('fewer distinct clusters than k: found 2 of k = 3, possibly due to duplicate rows');
  });

  it('rejects options outside their ranges with the offending value', () => {
    const { x } = makeBlobs({ n: 50, d: 2, k: 2, seed: 1 });
    expectEngineError(() => fitMiniBatchKMeans(x, { k: 2, batchSize: 0 }), 'invalid_option', /batchSize = 0/);
    expectEngineError(() => fitMiniBatchKMeans(x, { k: 2, reassignmentRatio: 2 }), 'invalid_option', /reassignmentRatio = 2/);
    expectEngineError(() => fitMiniBatchKMeans(x, { k: 2, initSize: 1 }), 'invalid_option', /initSize = 1/);
    expectEngineError(() => fitMiniBatchKMeans(x, { k: 60 }), 'too_few_rows', /k = 60 exceeds the 50 rows/);
  });
});
