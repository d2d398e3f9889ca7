/**
 * Multi-core compute for the engine: worker threads over shared memory. Unlike src/engine, this folder
 * may use Node's modules (worker_threads, os); the numeric kernels themselves stay in the engine.
 */
export { fitKMeansParallel, toSharedMatrix, createSharedMatrix } from './kmeans.ts';
export type { ParallelKMeansOptions } from './kmeans.ts';
export { createKMeansPool } from './pool.ts';
export type { KMeansPool, KMeansPoolOptions } from './pool.ts';
export { lowerThreadPriority } from './priority.ts';
