/**
 * Errors raised at the engine's door.
 *
 * Public entry points (fitKMeans, computeSilhouette, …) validate their input and throw
 * EngineInputError; the kernels behind them assume valid input and do no checks, as in
 * scikit-learn's split between `kmeans_plusplus` and `_kmeans_plusplus`. Messages carry the
 * clashing numbers ("k = 8 exceeds the 5 rows") so a caller can report them without parsing.
 */

/** Machine-readable reason of an EngineInputError. */
export type EngineErrorCode =
  /** Fewer rows than the method needs (k > n, or an empty matrix). */
  | 'too_few_rows'
  /** A matrix without columns. */
  | 'no_columns'
  /** NaN or ±Infinity in an input matrix; the message names row and column. */
  | 'non_finite_value'
  /** k is not an integer or is below 1. */
  | 'invalid_k'
  /** Two inputs whose sizes disagree (storage length, initial centres, labels, output buffers). */
  | 'shape_mismatch'
  /** A label outside [0, k) or not an integer. */
  | 'invalid_label'
  /** A score needs between 2 and n − 1 distinct clusters. */
  | 'invalid_label_count'
  /** An option outside its documented range. */
  | 'invalid_option'
  /** A categorical code outside [0, cardinality) of its column, or a cardinality below 1. */
  | 'invalid_category'
  /**
   * A covariance (or precision) matrix that is not symmetric positive definite: given as such, or
   * estimated during a Gaussian-mixture fit from a component collapsed onto too few distinct rows
   * (raise regCovar, lower k, or deduplicate the rows).
   */
  | 'singular_covariance';

/** Invalid input to a public engine function. `code` is stable; `message` is for people. */
export class EngineInputError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineInputError';
    this.code = code;
  }
}
