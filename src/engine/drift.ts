/**
 * Drift of a feature's distribution between training and serving, by the population stability index
 * (Siddiqi, "Credit Risk Scorecards", 2006; Yurdakul, "Statistical Properties of the Population
 * Stability Index", 2018):
 *
 *   PSI = Σ_b (a_b − e_b) · ln(a_b / e_b)
 *
 * over bins b with expected (training) shares e_b and actual (serving) shares a_b. Empty bins would
 * make the logarithm infinite, so both shares are floored at `epsilon` (1e-4 by default, the usual
 * choice) before the sum. Conventional reading: below 0.1 stable, 0.1–0.25 worth watching, above 0.25
 * drifted.
 *
 * Numeric features are binned by their training deciles: nine interior cut points (quantiles 0.1…0.9
 * by linear interpolation, as numpy's default), repeated cut points merged so that a heavily tied
 * feature gets fewer, non-empty bins. A value equal to a cut point goes to the upper bin.
 */
import { EngineInputError } from './errors.ts';

export const DEFAULT_PSI_EPSILON = 1e-4;

/**
 * Distinct interior cut points at the given quantiles (each in (0, 1), increasing) of the finite
 * values (NaN skipped), by linear interpolation between order statistics (numpy's default). A cut at
 * the minimum would leave the first bin empty and is dropped; repeated cuts are merged.
 * @returns at most `quantiles.length` increasing cut points; none when fewer than two distinct values.
 */
export function quantileCutPoints(values: ArrayLike<number>, quantiles: readonly number[]): Float64Array {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite.push(values[i]!);
  finite.sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return new Float64Array(0);
  const cuts: number[] = [];
  for (const q of quantiles) {
    const position = q * (n - 1);
    const low = Math.floor(position);
    const high = Math.min(n - 1, low + 1);
    const value = finite[low]! + (position - low) * (finite[high]! - finite[low]!);
    if (value > finite[0]! && (cuts.length === 0 || value > cuts.at(-1)!)) cuts.push(value);
  }
  return Float64Array.from(cuts);
}

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * Distinct interior cut points at the deciles of the finite values (NaN skipped).
 * @returns at most 9 increasing cut points; none when fewer than two distinct values.
 */
export function decileCutPoints(values: ArrayLike<number>): Float64Array {
  return quantileCutPoints(values, DECILES);
}

/** The bin of `value` among `cuts.length + 1` bins: the number of cut points at or below it. */
export function binOf(cuts: Float64Array, value: number): number {
  let low = 0;
  let high = cuts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cuts[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * PSI of observed counts against expected shares (see the file header).
 * @param expectedShares - the training shares of each bin (they need not sum exactly to 1).
 * @param actualCounts - serving counts per bin, same length; at least one must be positive.
 * @throws EngineInputError `shape_mismatch` (lengths differ), `too_few_rows` (no count), `invalid_option` (epsilon).
 */
export function populationStabilityIndex(expectedShares: ArrayLike<number>, actualCounts: ArrayLike<number>, epsilon = DEFAULT_PSI_EPSILON): number {
  if (expectedShares.length !== actualCounts.length) throw new EngineInputError('shape_mismatch', `${expectedShares.length} expected shares for ${actualCounts.length} bins`);
  if (!(epsilon > 0 && epsilon < 1)) throw new EngineInputError('invalid_option', `epsilon must be in (0, 1), got ${epsilon}`);
  let total = 0;
  for (let b = 0; b < actualCounts.length; b++) total += actualCounts[b]!;
  if (!(total > 0)) throw new EngineInputError('too_few_rows', 'no observations to compare');
  let psi = 0;
  for (let b = 0; b < actualCounts.length; b++) {
    const actual = Math.max(epsilon, actualCounts[b]! / total);
    const expected = Math.max(epsilon, expectedShares[b]!);
    psi += (actual - expected) * Math.log(actual / expected);
  }
  return psi;
}
