import { describe, expect, it } from 'vitest';
import type { KMeansAlgorithm, KMeansOptions, KMeansResult } from '../../../src/engine/index.ts';
import { CHUNK_ROWS, createKMeansScratch, fitKMeans, planKMeansFit, runKMeansPhase } from '../../../src/engine/index.ts';
import { isBitIdentical } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

/**
 * Runs a fit's phases chunk by chunk in a scrambled order, with a fresh scratch per chunk, as worker
 * threads claiming chunks in any order would.
 */
function fitChunkByChunk(x: ReturnType<typeof makeBlobs>['x'], options: KMeansOptions, order: (count: number) => number[]): KMeansResult {
  const { workspace, steps } = planKMeansFit(x, options);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    for (const chunk of order(workspace.chunkCount)) {
      runKMeansPhase(workspace, step.value, chunk, chunk + 1, createKMeansScratch(workspace));
    }
  }
}

const reversed = (count: number): number[] => Array.from({ length: count }, (_, c) => count - 1 - c);
const evensThenOdds = (count: number): number[] => {
  const all = Array.from({ length: count }, (_, c) => c);
  return [...all.filter((c) => c % 2 === 0), ...all.filter((c) => c % 2 === 1)];
};

describe('k-means phases over row chunks', () => {
  const { x } = makeBlobs({ n: 3 * CHUNK_ROWS + 77, d: 6, k: 5, seed: 9, centerSpread: 1.5 });

  for (const algorithm of ['lloyd', 'hamerly'] as const satisfies readonly KMeansAlgorithm[]) {
    it(`give the in-thread fit bit for bit whatever order the chunks run in (${algorithm}, seeding included)`, () => {
      const options: KMeansOptions = { k: 6, seed: 4, nInit: 2, algorithm };
      const expected = fitKMeans(x, options);

      for (const order of [reversed, evensThenOdds]) {
        const result = fitChunkByChunk(x, options, order);
        expect(isBitIdentical(result.labels, expected.labels)).toBe(true);
        expect(isBitIdentical(result.centers.data, expected.centers.data)).toBe(true);
        expect(Object.is(result.inertia, expected.inertia)).toBe(true);
        expect(result.iterations).toBe(expected.iterations);
      }
    });
  }

  it('cover a row count that is not a multiple of the chunk size, down to a single short chunk', () => {
    for (const n of [1, 7, CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 1]) {
      const { x: small } = makeBlobs({ n, d: 2, k: 2, seed: n });
      const result = fitKMeans(small, { k: 1 });
      expect(result.clusterSizes[0]).toBe(n);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += small.data[2 * i]!;
      expect(result.centers.data[0]).toBeCloseTo(mean / n, 9);
    }
  });
});
