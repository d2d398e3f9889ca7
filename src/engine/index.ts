/**
 * The engine's whole public surface. Nothing else under src/engine is imported from outside it.
 *
 * Pure numeric code on typed arrays: no I/O, no clock, no global randomness (randomness comes from a
 * seeded `Random` or a `seed` option), no logging (degraded results come back as `warnings`).
 * Invalid input is rejected at these entry points with EngineInputError.
 */
export { EngineInputError } from './errors.ts';
export type { EngineErrorCode } from './errors.ts';
export { Random, createRandom } from './random.ts';
export { denseMatrix, fromRows, rowToArray } from './matrix.ts';
export type { DenseMatrix } from './matrix.ts';
export { kmeansPlusPlus } from './kmeans/init.ts';
export { fitKMeans, assignToNearest } from './kmeans/fit.ts';
export type { KMeansOptions, KMeansResult, LloydIteration } from './kmeans/fit.ts';
export { computeSilhouette, computeCalinskiHarabasz, computeDaviesBouldin } from './selection.ts';
export type { SilhouetteOptions, SilhouetteResult } from './selection.ts';
export { adjustedRandIndex } from './agreement.ts';
