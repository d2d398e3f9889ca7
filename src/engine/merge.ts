/**
 * Merging clusters of a fitted model into one, as the starting point of a re-fit with one cluster
 * fewer per merged member (a warm start: k-means from the merged centres, EM from the merged mixture).
 *
 * Index map: the merged cluster takes the smallest index of the group; every other cluster keeps its
 * relative order. E.g. k = 5, group {1, 3} → old 0, 1, 2, 3, 4 become 0, 1, 2, 1, 3.
 *
 * Centres: the merged centre is the weighted mean μ = Σ_{i∈G} w_i μ_i / W with W = Σ_{i∈G} w_i (the
 * weights are cluster sizes for k-means, mixture weights for Gaussian mixtures): the centroid of the
 * union of the members, exactly, when the w_i are sizes and the μ_i the members' means.
 *
 * Gaussian components: moment-preserving merge (Runnalls, "Kullback–Leibler approach to Gaussian
 * mixture reduction", IEEE Trans. Aerospace and Electronic Systems 43(3), 2007, eq. 2–4): weight W,
 * mean μ as above, covariance Σ = Σ_{i∈G} (w_i / W) (Σ_i + (μ_i − μ)(μ_i − μ)ᵀ), the mean and
 * covariance of the two-component mixture itself. With diagonal covariances only the diagonal of the
 * outer product is kept, so the merged component stays diagonal.
 */
import { EngineInputError } from './errors.ts';
import type { CovarianceType } from './gmm/model.ts';
import type { DenseMatrix } from './matrix.ts';
import { assertValidMatrix } from './validate.ts';

/** Where each old cluster goes: `indexMap[old] = new`, with `k − |group| + 1` clusters after the merge. */
export interface ClusterMerge {
  readonly indexMap: Int32Array;
  readonly k: number;
}

/**
 * The index map of merging `group` (two or more distinct cluster indices) among k clusters.
 * @throws EngineInputError `invalid_option` for a group of fewer than two clusters, a repeated or out-of-range index, or a merge leaving fewer than one cluster.
 */
export function planClusterMerge(k: number, group: readonly number[]): ClusterMerge {
  if (group.length < 2) throw new EngineInputError('invalid_option', `a merge needs at least two clusters, got ${group.length}`);
  const members = new Set<number>();
  for (const index of group) {
    if (!Number.isInteger(index) || index < 0 || index >= k) throw new EngineInputError('invalid_option', `cluster ${index} is not in 0…${k - 1}`);
    if (members.has(index)) throw new EngineInputError('invalid_option', `cluster ${index} appears twice in the merge`);
    members.add(index);
  }
  const target = Math.min(...group);
  const indexMap = new Int32Array(k);
  let next = 0;
  for (let old = 0; old < k; old++) {
    if (members.has(old) && old !== target) continue;
    indexMap[old] = next++;
  }
  for (const old of members) indexMap[old] = indexMap[target]!;
  return { indexMap, k: next };
}

/**
 * k × d centres → merged (k − |group| + 1) × d centres, the group replaced by its weighted mean.
 * @param weights - k non-negative weights (cluster sizes); a group of zero total weight takes the plain mean.
 */
export function mergeCenters(centers: DenseMatrix, weights: ArrayLike<number>, group: readonly number[]): { centers: DenseMatrix } & ClusterMerge {
  assertValidMatrix(centers, 'centers');
  assertWeights(weights, centers.rows);
  const merge = planClusterMerge(centers.rows, group);
  const d = centers.cols;
  const out = new Float64Array(merge.k * d);
  const totals = new Float64Array(merge.k);
  const groupWeight = group.reduce((sum, index) => sum + weights[index]!, 0);
  for (let old = 0; old < centers.rows; old++) {
    const target = merge.indexMap[old]!;
    const weight = group.includes(old) ? (groupWeight > 0 ? weights[old]! : 1) : 1;
    totals[target]! += weight;
    for (let j = 0; j < d; j++) out[target * d + j]! += weight * centers.data[old * d + j]!;
  }
  for (let c = 0; c < merge.k; c++) for (let j = 0; j < d; j++) out[c * d + j]! /= totals[c]!;
  return { centers: { data: out, rows: merge.k, cols: d }, ...merge };
}

export interface MixtureComponents {
  readonly covarianceType: CovarianceType;
  /** k weights summing to 1. */
  readonly weights: ArrayLike<number>;
  /** k × d. */
  readonly means: DenseMatrix;
  /** k × d (diag) or k × d × d (full), row-major. */
  readonly covariances: ArrayLike<number>;
}

/**
 * A Gaussian mixture with the components of `group` merged by moment matching (see the file header):
 * weights, means and covariances in the layout fitGaussianMixture takes as `init`.
 */
export function mergeMixtureComponents(
  mixture: MixtureComponents,
  group: readonly number[],
): { weights: Float64Array; means: DenseMatrix; covariances: Float64Array } & ClusterMerge {
  const { means, covarianceType } = mixture;
  const k = means.rows;
  const d = means.cols;
  const block = covarianceType === 'full' ? d * d : d;
  if (mixture.covariances.length !== k * block) {
    throw new EngineInputError('shape_mismatch', `covariances hold ${mixture.covariances.length} values, expected ${k * block} for ${covarianceType} covariances`);
  }
  const merged = mergeCenters(means, mixture.weights, group);
  const { indexMap } = merged;
  const weights = new Float64Array(merged.k);
  for (let old = 0; old < k; old++) weights[indexMap[old]!]! += mixture.weights[old]!;
  const covariances = new Float64Array(merged.k * block);
  const target = indexMap[group[0]!]!;
  const groupWeight = weights[target]!;
  for (let old = 0; old < k; old++) {
    const c = indexMap[old]!;
    if (c !== target) {
      for (let t = 0; t < block; t++) covariances[c * block + t] = mixture.covariances[old * block + t]!;
      continue;
    }
    // Σ += (w_i / W)(Σ_i + δδᵀ), δ = μ_i − μ.
    const share = groupWeight > 0 ? mixture.weights[old]! / groupWeight : 1 / group.length;
    for (let a = 0; a < d; a++) {
      const deltaA = means.data[old * d + a]! - merged.centers.data[c * d + a]!;
      if (covarianceType === 'diag') {
        covariances[c * d + a]! += share * (mixture.covariances[old * d + a]! + deltaA * deltaA);
        continue;
      }
      for (let b = 0; b < d; b++) {
        const deltaB = means.data[old * d + b]! - merged.centers.data[c * d + b]!;
        covariances[c * block + a * d + b]! += share * (mixture.covariances[old * block + a * d + b]! + deltaA * deltaB);
      }
    }
  }
  return { weights, means: merged.centers, covariances, indexMap, k: merged.k };
}

function assertWeights(weights: ArrayLike<number>, k: number): void {
  if (weights.length !== k) throw new EngineInputError('shape_mismatch', `${weights.length} weights for ${k} clusters`);
  for (let i = 0; i < k; i++) {
    if (!(weights[i]! >= 0) || !Number.isFinite(weights[i]!)) throw new EngineInputError('invalid_option', `weight ${i} = ${weights[i]} must be finite and ≥ 0`);
  }
}
