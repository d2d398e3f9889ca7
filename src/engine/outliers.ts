/**
 * Per-cluster outlier thresholds and data-quality flags, computed once at training time and stored with
 * the model so /v1/assign can answer "unclassified" for a customer far from every persona.
 *
 * Threshold: the q-quantile (default 0.99) of the distances of a cluster's training members to its
 * centre, by linear interpolation between order statistics as numpy's default (method 'linear',
 * Hyndman & Fan 1996 definition 7): position h = (m − 1) q in the m sorted distances, value
 * a + (b − a)(h − ⌊h⌋), evaluated as numpy's `_lerp` (from the upper neighbour when the fraction is
 * ≥ ½) so the doubles match np.quantile. A new row whose distance to its assigned centre exceeds its
 * cluster's threshold lies beyond where (1 − q) of that cluster's customers lie. The distances are the
 * caller's (squared or not, in whatever space the model assigns in); the threshold is in the same units.
 *
 * Data-quality clusters: a cluster holding fewer than minClusterShare of the rows ("tiny", default 1 %)
 * is more likely a pocket of odd records than a persona; one whose members have on average more than
 * maxImputedShare of their features imputed (default 50 %) was shaped by the imputation, not by the
 * customers. Both are reported with the numbers and a reason, for the service to hide or label.
 *
 * Notation: n rows, k clusters, m_c members of cluster c.
 * Complexity: O(n + Σ m_c log m_c) time (a sort per cluster), O(n) memory.
 * References: Hyndman & Fan, "Sample quantiles in statistical packages", The American Statistician 50(4),
 * 1996; numpy 1.24 `numpy/lib/function_base.py` (_quantile, _lerp).
 */
import { EngineInputError } from './errors.ts';
import { assertLabels } from './validate.ts';

/** Options of computeOutlierThresholds; all optional. */
export interface OutlierThresholdOptions {
  /** Quantile of the members' distances used as each cluster's threshold, in [0, 1]. Default 0.99. */
  readonly quantile?: number;
  /** Share of the rows below which a cluster is flagged tiny, in [0, 1]. Default 0.01. */
  readonly minClusterShare?: number;
  /**
   * Per-row share of imputed (originally missing) features, n values in [0, 1]. Without it no cluster is
   * checked for imputation.
   */
  readonly imputedFractions?: Float64Array;
  /** Mean imputed share above which a cluster is flagged, in [0, 1]. Default 0.5. */
  readonly maxImputedShare?: number;
}

/** Why a cluster is flagged as a data-quality cluster. */
export type DataQualityReasonCode = 'empty_cluster' | 'tiny_cluster' | 'imputation_dominated';

/** One reason, machine-readable code plus a sentence with the numbers. */
export interface DataQualityReason {
  readonly code: DataQualityReasonCode;
  readonly message: string;
}

/** Threshold and flags of one cluster. */
export interface ClusterOutlierThreshold {
  readonly cluster: number;
  /** Members (rows labelled with this cluster). */
  readonly size: number;
  /** size / n. */
  readonly share: number;
  /** q-quantile of the members' distances; null for an empty cluster. */
  readonly distanceThreshold: number | null;
  /** Largest member distance; null for an empty cluster. */
  readonly maxDistance: number | null;
  /** Mean imputed share of the members; null without imputedFractions or for an empty cluster. */
  readonly meanImputedFraction: number | null;
  /** share < minClusterShare (an empty cluster is tiny too). */
  readonly isTiny: boolean;
  /** meanImputedFraction > maxImputedShare. */
  readonly isImputationDominated: boolean;
  /** isTiny or isImputationDominated. */
  readonly isDataQualityCluster: boolean;
  /** Why it is flagged; empty for a clean cluster. */
  readonly reasons: DataQualityReason[];
}

/** Outcome of computeOutlierThresholds. */
export interface OutlierThresholds {
  /** k records, in cluster order. */
  readonly clusters: ClusterOutlierThreshold[];
  /** The quantile used. */
  readonly quantile: number;
  /** Degraded-result notes (e.g. clusters too small for a meaningful high quantile). */
  readonly warnings: string[];
}

const DEFAULT_OPTIONS = {
  quantile: 0.99,
  minClusterShare: 0.01,
  maxImputedShare: 0.5,
} as const satisfies Required<Omit<OutlierThresholdOptions, 'imputedFractions'>>;

/**
 * Per-cluster distance thresholds and data-quality flags.
 *
 * @param distances - n distances of the rows to their own cluster's centre, finite and ≥ 0.
 * @param labels - n cluster labels in [0, k).
 * @param k - number of clusters, ≥ 1.
 * @param options - see OutlierThresholdOptions; defaults: quantile 0.99, minClusterShare 0.01,
 *   maxImputedShare 0.5, no imputation check.
 * @returns k records with size, share, threshold, max distance, mean imputed share, flags and reasons.
 * @throws EngineInputError `too_few_rows` (n = 0), `shape_mismatch` (lengths differ), `invalid_label`,
 *   `invalid_k`, `non_finite_value` / `invalid_option` (a negative distance, an imputed share outside
 *   [0, 1], an option out of range).
 */
export function computeOutlierThresholds(
  distances: Float64Array,
  labels: Int32Array,
  k: number,
  options: OutlierThresholdOptions = {},
): OutlierThresholds {
  const n = distances.length;
  if (n === 0) throw new EngineInputError('too_few_rows', 'distances is empty');
  if (!Number.isInteger(k) || k < 1) throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 1`);
  assertLabels(labels, n, k);
  const quantile = options.quantile ?? DEFAULT_OPTIONS.quantile;
  const minClusterShare = options.minClusterShare ?? DEFAULT_OPTIONS.minClusterShare;
  const maxImputedShare = options.maxImputedShare ?? DEFAULT_OPTIONS.maxImputedShare;
  const imputed = options.imputedFractions;
  for (const [name, value] of [
    ['quantile', quantile],
    ['minClusterShare', minClusterShare],
    ['maxImputedShare', maxImputedShare],
  ] as const) {
    if (!(value >= 0 && value <= 1)) throw new EngineInputError('invalid_option', `${name} = ${value} must lie in [0, 1]`);
  }
  for (let i = 0; i < n; i++) {
    const value = distances[i]!;
    if (value - value !== 0) throw new EngineInputError('non_finite_value', `distance ${value} at row ${i} is not finite`);
    if (value < 0) throw new EngineInputError('invalid_option', `distance ${value} at row ${i} is negative`);
  }
  if (imputed !== undefined) {
    if (imputed.length !== n) {
      throw new EngineInputError('shape_mismatch', `imputedFractions has ${imputed.length} entries, expected one per row (${n})`);
    }
    for (let i = 0; i < n; i++) {
      if (!(imputed[i]! >= 0 && imputed[i]! <= 1)) {
        throw new EngineInputError('invalid_option', `imputed fraction ${imputed[i]} at row ${i} must lie in [0, 1]`);
      }
    }
  }

  // Counting sort of the distances by cluster: members of cluster c occupy [starts[c], starts[c + 1]).
  const starts = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) starts[labels[i]! + 1]!++;
  for (let c = 0; c < k; c++) starts[c + 1]! += starts[c]!;
  const grouped = new Float64Array(n);
  const imputedSums = new Float64Array(k);
  const cursor = starts.slice(0, k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    grouped[cursor[c]!++] = distances[i]!;
    if (imputed !== undefined) imputedSums[c]! += imputed[i]!;
  }

  const clusters: ClusterOutlierThreshold[] = [];
  const smallClusters: number[] = [];
  for (let c = 0; c < k; c++) {
    const size = starts[c + 1]! - starts[c]!;
    const share = size / n;
    const members = grouped.subarray(starts[c]!, starts[c + 1]!);
    // TypedArray sort is numeric (not lexicographic) and in place on this cluster's segment.
    members.sort();
    const reasons: DataQualityReason[] = [];
    if (size === 0) {
      reasons.push({ code: 'empty_cluster', message: `cluster ${c} has no rows` });
    } else if (share < minClusterShare) {
      reasons.push({
        code: 'tiny_cluster',
        message: `cluster ${c} holds ${size} of ${n} rows (${formatPercent(share)}), below the minimum share of ${formatPercent(minClusterShare)}`,
      });
    }
    const meanImputedFraction = imputed === undefined || size === 0 ? null : imputedSums[c]! / size;
    const isImputationDominated = meanImputedFraction !== null && meanImputedFraction > maxImputedShare;
    if (isImputationDominated) {
      reasons.push({
        code: 'imputation_dominated',
        message: `cluster ${c} members have ${formatPercent(meanImputedFraction)} of their features imputed on average, above ${formatPercent(maxImputedShare)}`,
      });
    }
    // Below 1 / (1 − q) members the high quantile is an interpolation between the two largest distances.
    if (size > 0 && quantile > 0 && quantile < 1 && size < 1 / (1 - quantile)) smallClusters.push(c);
    const isTiny = share < minClusterShare || size === 0;
    clusters.push({
      cluster: c,
      size,
      share,
      distanceThreshold: size === 0 ? null : sortedQuantile(members, quantile),
      maxDistance: size === 0 ? null : members[size - 1]!,
      meanImputedFraction,
      isTiny,
      isImputationDominated,
      isDataQualityCluster: isTiny || isImputationDominated,
      reasons,
    });
  }
  const warnings: string[] = [];
  if (smallClusters.length > 0) {
    warnings.push(
      `clusters ${smallClusters.join(', ')} have fewer than ${Math.ceil(1 / (1 - quantile))} members, ` +
        `so their ${quantile} quantile rests on their largest distances`,
    );
  }
  return { clusters, quantile, warnings };
}

/**
 * q-quantile of ascending values (m ≥ 1) by numpy's default linear method: virtual index (m − 1) q,
 * clamped to the last value, and numpy's `_lerp`, which interpolates from the upper neighbour when the
 * fraction is ≥ ½ (so the result is exact at both ends and matches numpy bit for bit).
 */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  const m = sorted.length;
  const position = (m - 1) * q;
  if (position >= m - 1) return sorted[m - 1]!;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = sorted[below]!;
  const high = sorted[below + 1]!;
  const difference = high - low;
  return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction;
}

function formatPercent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
