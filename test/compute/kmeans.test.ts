import { afterAll, describe, expect, it } from 'vitest';
import { createKMeansPool, createSharedMatrix, fitKMeansParallel, toSharedMatrix } from '../../src/compute/index.ts';
import type { KMeansOptions, KMeansResult, LloydIteration } from '../../src/engine/index.ts';
import { CHUNK_ROWS, fitKMeans } from '../../src/engine/index.ts';
import { expectEngineError, isBitIdentical } from '../engine/support/assertions.ts';
import { makeBlobs } from '../engine/support/blobs.ts';

function expectSameFit(actual: KMeansResult, expected: KMeansResult): void {
  expect(isBitIdentical(actual.labels, expected.labels)).toBe(true);
  expect(isBitIdentical(actual.centers.data, expected.centers.data)).toBe(true);
  expect(Object.is(actual.inertia, expected.inertia)).toBe(true);
  expect(actual.iterations).toBe(expected.iterations);
  expect(actual.converged).toBe(expected.converged);
  expect(actual.warnings).toEqual(expected.warnings);
}

describe('fitKMeansParallel', () => {
  // Several chunks, so the workers really share the rows between them.
  const { x } = makeBlobs({ n: 5 * CHUNK_ROWS + 321, d: 7, k: 6, seed: 17, centerSpread: 1.5 });
  const pool = createKMeansPool({ threads: 2 });
  afterAll(() => pool.close());

  for (const algorithm of ['hamerly', 'lloyd'] as const) {
    it(`gives fitKMeans' result bit for bit for the same seed (${algorithm}, 2 threads, nInit 2)`, async () => {
      const options: KMeansOptions = { k: 6, seed: 3, nInit: 2, algorithm };
      expectSameFit(await fitKMeansParallel(x, { ...options, pool }), fitKMeans(x, options));
    });
  }

  it('gives the same result with a pool of its own, which it closes afterwards', async () => {
    const options: KMeansOptions = { k: 4, seed: 9, nInit: 1 };
    expectSameFit(await fitKMeansParallel(x, { ...options, threads: 3 }), fitKMeans(x, options));
  });

  it('runs in the calling thread with threads = 1 and gives the same result', async () => {
    const options: KMeansOptions = { k: 5, seed: 2, nInit: 1 };
    expectSameFit(await fitKMeansParallel(x, { ...options, threads: 1 }), fitKMeans(x, options));
  });

  it('reports every iteration to onIteration in this thread, as fitKMeans does', async () => {
    const start = { data: x.data.slice(0, 6 * 7), rows: 6, cols: 7 };
    const traced: LloydIteration[] = [];
    const expected: LloydIteration[] = [];
    await fitKMeansParallel(x, { k: 6, initialCenters: start, pool, onIteration: (p) => traced.push(p) });
    fitKMeans(x, { k: 6, initialCenters: start, onIteration: (p) => expected.push(p) });
    expect(traced).toEqual(expected);
  });

  it('serves fits queued on one pool one after another', async () => {
    const results = await Promise.all([1, 2, 3].map((seed) => fitKMeansParallel(x, { k: 3, seed, nInit: 1, pool })));
    results.forEach((result, i) => expectSameFit(result, fitKMeans(x, { k: 3, seed: i + 1, nInit: 1 })));
  });

  it('uses shared input as is and copies other input once', () => {
    const shared = createSharedMatrix(2, 3);
    expect(toSharedMatrix(shared)).toBe(shared);
    const copy = toSharedMatrix(x);
    expect(copy.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(isBitIdentical(copy.data, x.data)).toBe(true);
  });

  it('rejects invalid input as fitKMeans does, and a thread count below 1', async () => {
    await expect(fitKMeansParallel(x, { k: 0, pool })).rejects.toMatchObject({ code: 'invalid_k' });
    await expect(fitKMeansParallel(x, { k: 2, threads: 0 })).rejects.toMatchObject({ code: 'invalid_option', message: 'threads = 0 must be an integer ≥ 1' });
    expectEngineError(() => createKMeansPool({ threads: 1.5 }), 'invalid_option', /threads = 1.5/);
  });
});
