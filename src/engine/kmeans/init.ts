/**
 * Greedy k-means++ seeding.
 *
 * Minimises nothing by itself: it picks k rows of x as starting centres so that Lloyd's
 * algorithm starts near a good local minimum of the inertia Σᵢ ‖xᵢ − c(xᵢ)‖². The first centre is a
 * uniformly drawn row; each further centre is sampled with probability proportional to D(x)², the
 * squared distance to the nearest centre chosen so far (Arthur & Vassilvitskii, "k-means++: the
 * advantages of careful seeding", SODA 2007), which is O(log k)-competitive in expectation.
 *
 * Variant: the greedy one of scikit-learn's `_kmeans_plusplus`. Each step draws 2 + ⌊ln k⌋
 * candidates and keeps the one that lowers the potential Σ D(x)² the most; 2 + log k is the trial
 * count Arthur & Vassilvitskii report trying, and scikit-learn's default.
 *
 * Notation: n rows, d columns, k centres; x is n × d row-major.
 * Complexity: O(n · d · k · (3 + ⌊ln k⌋)) time, O(n) extra memory.
 *
 * Deviations from scikit-learn, none of which changes the distribution of picks:
 * - squared distances are computed directly as Σ (x − c)² instead of ‖x‖² + ‖c‖² − 2x·c, so they
 *   are never negative and need no clipping;
 * - the candidates' potentials are accumulated in one pass over the rows, and the cumulative-sum
 *   search is a single merge-like scan over the sorted draws, so no n × trials distance matrix and
 *   no cumulative-sum array are allocated;
 * - uniform draws come from the engine's seeded xoshiro128** generator, not numpy's Mersenne Twister,
 *   so the same seed does not pick the same rows as scikit-learn.
 */
import { squaredDistance } from '../matrix.ts';
import type { DenseMatrix } from '../matrix.ts';
import type { Random } from '../random.ts';
import { assertClusterCount, assertValidMatrix } from '../validate.ts';

/**
 * Picks k starting centres from the rows of x by greedy k-means++.
 *
 * @param x - data, n × d row-major, finite values.
 * @param k - number of centres, 1 ≤ k ≤ n.
 * @param random - seeded generator; it is advanced, so pass a fresh one to reproduce a pick.
 * @returns the centres, k × d row-major; each row is a copy of a row of x.
 * @throws EngineInputError `too_few_rows` (k > n or no rows), `invalid_k`, `no_columns`,
 *   `non_finite_value`, `shape_mismatch` (storage length ≠ rows × cols).
 */
export function kmeansPlusPlus(x: DenseMatrix, k: number, random: Random): DenseMatrix {
  assertValidMatrix(x, 'x');
  assertClusterCount(k, x.rows);
  const out = new Float64Array(k * x.cols);
  seedKMeansPlusPlus(x, k, random, out, new Float64Array(x.rows));
  return { data: out, rows: k, cols: x.cols };
}

/** Number of candidates per step: 2 + ⌊ln k⌋, as in Arthur & Vassilvitskii and scikit-learn. */
export function localTrialCount(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/**
 * Kernel behind kmeansPlusPlus; assumes validated input.
 *
 * Three passes over x per centre would be the direct transcription (cumulative search, candidate
 * potentials, update of the nearest distances); here the update and the next cumulative search share
 * one pass, which gives the same numbers since the search only reads the updated distances.
 *
 * @param outCenters - OUT, k × d: the chosen rows of x.
 * @param closestScratch - scratch of length n: squared distance of each row to its nearest chosen centre.
 */
export function seedKMeansPlusPlus(
  x: DenseMatrix,
  k: number,
  random: Random,
  outCenters: Float64Array,
  closestScratch: Float64Array,
): void {
  const n = x.rows;
  const d = x.cols;
  const data = x.data;
  const closest = closestScratch;
  const trials = localTrialCount(k);
  const targets = new Float64Array(trials);
  const targetOrder = new Int32Array(trials);
  const candidates = new Int32Array(trials);
  const candidateRows = new Float64Array(trials * d);
  const candidatePotentials = new Float64Array(trials);

  const first = random.nextInt(n);
  copyRow(data, first, d, outCenters, 0);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    const dist = squaredDistance(data, i * d, outCenters, 0, d);
    closest[i] = dist;
    potential += dist;
  }
  if (k === 1) return;
  drawTargets(random, potential, targets, targetOrder);
  searchCumulative(closest, undefined, 0, data, d, targets, targetOrder, candidates);

  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) copyRow(data, candidates[t]!, d, candidateRows, t);
    accumulateCandidatePotentials(data, n, d, closest, candidateRows, trials, candidatePotentials);
    // First minimum wins, as numpy's argmin.
    let best = 0;
    for (let t = 1; t < trials; t++) if (candidatePotentials[t]! < candidatePotentials[best]!) best = t;
    potential = candidatePotentials[best]!;
    copyRow(data, candidates[best]!, d, outCenters, c);
    if (c + 1 < k) {
      drawTargets(random, potential, targets, targetOrder);
      searchCumulative(closest, outCenters, c * d, data, d, targets, targetOrder, candidates);
    }
  }
}

/** OUT targets: `trials` uniform draws in [0, potential); OUT order: their indices sorted by value (stable). */
function drawTargets(random: Random, potential: number, outTargets: Float64Array, outOrder: Int32Array): void {
  const trials = outTargets.length;
  for (let t = 0; t < trials; t++) outTargets[t] = random.nextFloat() * potential;
  // Insertion sort of the few draws, so one scan over the rows answers all of them.
  for (let t = 0; t < trials; t++) {
    let p = t;
    while (p > 0 && outTargets[outOrder[p - 1]!]! > outTargets[t]!) {
      outOrder[p] = outOrder[p - 1]!;
      p--;
    }
    outOrder[p] = t;
  }
}

/**
 * numpy's searchsorted(cumsum(closest), targets, side='left') clipped to n − 1: for each target, the
 * first row whose running sum reaches it. The clip guards rounding: the potential and the running sum
 * are summed separately, so a draw close to the potential may exceed the last running sum.
 *
 * When `newCenter` is given, IN/OUT closest is first lowered to the distance to that centre (the row at
 * `newCenterOffset`), in the same pass.
 */
function searchCumulative(
  closest: Float64Array,
  newCenter: Float64Array | undefined,
  newCenterOffset: number,
  data: Float64Array,
  d: number,
  targets: Float64Array,
  order: Int32Array,
  outCandidates: Int32Array,
): void {
  const trials = targets.length;
  const n = closest.length;
  let next = 0;
  let runningSum = 0;
  for (let i = 0; i < n; i++) {
    if (newCenter !== undefined) {
      const dist = squaredDistance(data, i * d, newCenter, newCenterOffset, d);
      if (dist < closest[i]!) closest[i] = dist;
    }
    runningSum += closest[i]!;
    while (next < trials && runningSum >= targets[order[next]!]!) {
      outCandidates[order[next]!] = i;
      next++;
    }
  }
  for (; next < trials; next++) outCandidates[order[next]!] = n - 1;
}

/**
 * OUT potentials[t] = Σᵢ min(closest[i], ‖xᵢ − candidate_t‖²) for every candidate in one pass over x.
 * Candidates are taken four at a time so each loaded coordinate serves four distances; each distance
 * still sums its coordinates in order, so the values equal the plain loop's.
 */
function accumulateCandidatePotentials(
  data: Float64Array,
  n: number,
  d: number,
  closest: Float64Array,
  candidateRows: Float64Array,
  trials: number,
  outPotentials: Float64Array,
): void {
  outPotentials.fill(0);
  for (let i = 0; i < n; i++) {
    const current = closest[i]!;
    const rowOffset = i * d;
    let t = 0;
    for (; t + 3 < trials; t += 4) {
      const offset0 = t * d;
      const offset1 = offset0 + d;
      const offset2 = offset1 + d;
      const offset3 = offset2 + d;
      let dist0 = 0;
      let dist1 = 0;
      let dist2 = 0;
      let dist3 = 0;
      for (let j = 0; j < d; j++) {
        const value = data[rowOffset + j]!;
        const diff0 = value - candidateRows[offset0 + j]!;
        const diff1 = value - candidateRows[offset1 + j]!;
        const diff2 = value - candidateRows[offset2 + j]!;
        const diff3 = value - candidateRows[offset3 + j]!;
        dist0 += diff0 * diff0;
        dist1 += diff1 * diff1;
        dist2 += diff2 * diff2;
        dist3 += diff3 * diff3;
      }
      outPotentials[t]! += dist0 < current ? dist0 : current;
      outPotentials[t + 1]! += dist1 < current ? dist1 : current;
      outPotentials[t + 2]! += dist2 < current ? dist2 : current;
      outPotentials[t + 3]! += dist3 < current ? dist3 : current;
    }
    for (; t < trials; t++) {
      const dist = squaredDistance(data, rowOffset, candidateRows, t * d, d);
      outPotentials[t]! += dist < current ? dist : current;
    }
  }
}


function copyRow(data: Float64Array, row: number, d: number, out: Float64Array, outRow: number): void {
  for (let j = 0; j < d; j++) out[outRow * d + j] = data[row * d + j]!;
}
