import { describe, expect, it } from 'vitest';
import { createKMeansPool, fitKMeansParallel } from '../../src/compute/index.ts';
import type { KMeansWorkspace } from '../../src/engine/index.ts';
import { fitKMeans, planKMeansFit } from '../../src/engine/index.ts';
import { makeBlobs } from '../engine/support/blobs.ts';

describe('createKMeansPool', () => {
  const { x } = makeBlobs({ n: 9000, d: 3, k: 3, seed: 5 });

  it('starts the requested number of threads and rejects fits after close()', async () => {
    const pool = createKMeansPool({ threads: 2 });
    expect(pool.threads).toBe(2);
    await fitKMeansParallel(x, { k: 3, pool });
    await pool.close();
    await expect(fitKMeansParallel(x, { k: 3, pool })).rejects.toThrow('the k-means pool is closed');
    await pool.close();
  });

  it('surfaces an error thrown by a kernel in a worker and stays usable for the next fit', async () => {
    const pool = createKMeansPool({ threads: 2 });
    try {
      // A workspace without its data: the first kernel throws a TypeError inside the workers.
      const { workspace, steps } = planKMeansFit(x, { k: 3 }, (bytes) => new SharedArrayBuffer(bytes));
      const broken = { ...workspace, data: undefined } as unknown as KMeansWorkspace;
      await expect(pool.run(broken, steps)).rejects.toThrow(/a k-means worker failed/);

      const result = await fitKMeansParallel(x, { k: 3, seed: 4, pool });
      expect(Array.from(result.labels)).toEqual(Array.from(fitKMeans(x, { k: 3, seed: 4 }).labels));
    } finally {
      await pool.close();
    }
  });

  it('stops the workers when the driver throws, so the pool can run the next fit', async () => {
    const pool = createKMeansPool({ threads: 2 });
    try {
      const failing = fitKMeansParallel(x, {
        k: 3,
        pool,
        onIteration: () => {
          throw new Error('listener failed');
        },
      });
      await expect(failing).rejects.toThrow('listener failed');
      await expect(fitKMeansParallel(x, { k: 3, pool })).resolves.toMatchObject({ converged: true });
    } finally {
      await pool.close();
    }
  });
});
