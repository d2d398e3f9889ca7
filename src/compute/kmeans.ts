/**
 * k-means across CPU cores: fitKMeansParallel runs the engine's fitKMeans driver with its passes over
 * the rows spread over worker threads (pool.ts), on SharedArrayBuffer-backed copies of the buffers.
 * Same validation, options and result as fitKMeans, bit for bit, for the same seed.
 */
import { availableParallelism } from 'node:os';
import { fitKMeans, planKMeansFit } from '../engine/index.ts';
import type { BufferAllocator, DenseMatrix, KMeansOptions, KMeansResult } from '../engine/index.ts';
import { assertThreadCount, createKMeansPool } from './pool.ts';
import type { KMeansPool } from './pool.ts';

/** fitKMeans options plus where to run. */
export interface ParallelKMeansOptions extends KMeansOptions {
  /**
   * Threads to compute on, an integer ≥ 1. Default: os.availableParallelism(). With 1 (and no pool)
   * the fit runs in the calling thread, without workers. Ignored when `pool` is given.
   */
  readonly threads?: number;
  /**
   * A pool to reuse across fits (its workers stay up; the caller closes it). Without one, a pool is
   * started for this fit and closed after it, which costs some tens of milliseconds.
   */
  readonly pool?: KMeansPool;
}

const allocateShared: BufferAllocator = (byteLength) => new SharedArrayBuffer(byteLength);

/**
 * Fits k-means like fitKMeans, with the work spread over threads.
 *
 * @param x - data, n × d row-major, finite values; not modified. Copied once into shared memory
 *   unless its storage is already a SharedArrayBuffer (see toSharedMatrix).
 * @param options - fitKMeans options plus `threads` / `pool`; onIteration is called in this thread.
 * @returns the same result as fitKMeans(x, options), bit for bit.
 * @throws EngineInputError as fitKMeans, and `invalid_option` for a bad thread count.
 */
export async function fitKMeansParallel(x: DenseMatrix, options: ParallelKMeansOptions): Promise<KMeansResult> {
  const { pool } = options;
  const threads = pool?.threads ?? options.threads ?? availableParallelism();
  assertThreadCount(threads);
  if (pool === undefined && threads === 1) return fitKMeans(x, options);
  const plan = planKMeansFit(toSharedMatrix(x), options, allocateShared);
  if (pool !== undefined) return pool.run(plan.workspace, plan.steps);
  const ownPool = createKMeansPool({ threads });
  try {
    return await ownPool.run(plan.workspace, plan.steps);
  } finally {
    await ownPool.close();
  }
}

/**
 * x itself when its storage is a SharedArrayBuffer, else a copy in one. Callers that fit the same data
 * repeatedly, or that build x themselves, can allocate it shared (createSharedMatrix) and skip the copy.
 */
export function toSharedMatrix(x: DenseMatrix): DenseMatrix {
  if (x.data.buffer instanceof SharedArrayBuffer) return x;
  const shared = createSharedMatrix(x.rows, x.cols, x.data.length);
  shared.data.set(x.data);
  return shared;
}

/** A zero-filled rows × cols matrix whose storage is a SharedArrayBuffer. */
export function createSharedMatrix(rows: number, cols: number, length = rows * cols): DenseMatrix {
  return { data: new Float64Array(new SharedArrayBuffer(length * 8)), rows, cols };
}
