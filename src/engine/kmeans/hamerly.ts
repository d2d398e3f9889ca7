/**
 * Hamerly's bounded assignment step for k-means (Hamerly, "Making k-means even faster", SIAM SDM 2010).
 *
 * Minimises the same inertia Σᵢ ‖xᵢ − c_{label(i)}‖² as Lloyd's algorithm and follows the same path:
 * it only avoids distance computations that cannot change a label. Each row keeps an upper bound u on
 * the distance to its assigned centre a and a lower bound l on the distance to every other centre;
 * after the centres move by p(c), u grows by p(a) and l shrinks by the largest move of another centre.
 * With s(a) = ½ min_{c≠a} ‖c_a − c‖, every other centre is at least L = max(l, 2s(a) − u) away, so a row
 * with u < L keeps its label without touching x. Otherwise u is tightened to the exact distance, and
 * only if the test still fails are all k distances computed (which also renews l).
 *
 * Notation: n rows, d columns, k clusters; centres stored minus the column means (`shift`), as lloyd.ts.
 * Complexity: O(n · k · d) for the first pass, then O(n + k² · d + f · k · d) per iteration, where f is
 * the number of rows whose bounds fail (few once the centres settle); O(3n) extra memory.
 *
 * Variant and deviations from the paper:
 * - the stopping rule, empty-cluster relocation, tie rule and final re-assignment are Lloyd's (lloyd.ts),
 *   so from the same start both produce the same labels and iteration count;
 * - the labels of a full scan come from the same scores ‖c‖² − 2x·c, summed in the same order, as
 *   Lloyd's assignment, and a row is skipped only when its bounds prove a gap above the rounding error
 *   of those scores: the test is L > u and L² − u² > 4ε_d (max‖c‖ + ‖x‖)², with ε_d = (d + 4)·2⁻⁵²,
 *   and every bound is rounded outward. So every label equals what Lloyd's floating-point argmin gives
 *   for the same centres, ties included, not merely the exact-arithmetic nearest centre;
 * - cluster sums are updated incrementally, as in the paper, from the rows whose label changed (per
 *   chunk, reduced in chunk order). Both algorithms keep the sums as double-double numbers and round
 *   them once per iteration (lloyd.ts, addDoubleDouble), so Hamerly's running sums round to the same
 *   doubles as Lloyd's recomputed ones (unless an exact sum lies within about 2⁻¹⁰⁰ of a rounding
 *   boundary), and the centres are the same bit for bit, ties on duplicate rows included;
 * - the per-iteration inertia reported to onIteration needs every row's distance, so it is computed
 *   only when a listener is given.
 */
import {
  addClusterPartials,
  addDoubleDouble,
  averageCenters,
  changedOffset,
  computeCenterNorms,
  inertiaOffset,
  relocateEmptyClusters,
  roundDoubleDouble,
  squaredCenterShift,
  sumPartials,
} from './lloyd.ts';
import type { IterationBuffers, LloydIteration, RunOutcome } from './lloyd.ts';
import { CONTROL, chunkEnd, chunkStart } from './workspace.ts';
import type { KMeansPhase, KMeansScratch, KMeansWorkspace } from './workspace.ts';

/**
 * Factors that round a computed bound outward by more than the last operation's rounding
 * (4 units in the last place): upper bounds are multiplied by ROUND_UP, lower bounds by ROUND_DOWN.
 */
const ROUND_UP = 1 + 2 ** -51;
const ROUND_DOWN = 1 - 2 ** -51;

/**
 * Relative error bound for a d-term dot product or squared distance and the operation that follows,
 * (d + 4)·2⁻⁵², at least twice γ_{d+2} = (d + 2)u / (1 − (d + 2)u) with u = 2⁻⁵³ (Higham, "Accuracy and
 * stability of numerical algorithms", 2002, §3.1).
 */
export function roundingBound(d: number): number {
  return (d + 4) * 2 ** -52;
}

/**
 * Runs Hamerly iterations from `workspace.centers`, with Lloyd's stopping rule (see runLloydSteps):
 * yields `hamerly` per iteration, `measure` when an empty cluster needs the rows' distances, and a last
 * `hamerly` and `measure` for the final labels and inertia. Assumes validated input.
 */
export function* runHamerlySteps(
  workspace: KMeansWorkspace,
  buffers: IterationBuffers,
  maxIterations: number,
  toleranceAbs: number,
  run: number,
  onIteration: ((progress: LloydIteration) => void) | undefined,
): Generator<KMeansPhase, RunOutcome, void> {
  const { n, d, k, data, shift, centers, labels, distances, control } = workspace;
  const { sums, sumsLow, weights, runningSums, runningSumsLow, runningWeights } = buffers;
  const isTracing = onIteration !== undefined;
  labels.fill(-1);
  runningSums.fill(0);
  runningSumsLow.fill(0);
  runningWeights.fill(0);
  control[CONTROL.isTracing] = isTracing ? 1 : 0;

  let iterations = 0;
  let hasConverged = false;
  let isStrictlyConverged = false;
  while (iterations < maxIterations) {
    prepareHamerlyPass(workspace);
    control[CONTROL.isFirstPass] = iterations === 0 ? 1 : 0;
    yield 'hamerly';
    addClusterPartials(workspace, runningSums, runningSumsLow, runningWeights);
    const changedLabels = sumPartials(workspace, changedOffset(workspace));
    const inertia = isTracing ? sumPartials(workspace, inertiaOffset(workspace)) : Number.NaN;
    sums.set(runningSums);
    sumsLow.set(runningSumsLow);
    roundDoubleDouble(sums, sumsLow);
    weights.set(runningWeights);
    // Relocation reads every row's distance to its centre; a traced pass has them already.
    if (!isTracing && weights.includes(0)) yield 'measure';
    relocateEmptyClusters(data, n, d, k, shift, labels, distances, sums, weights, buffers);
    averageCenters(sums, weights, centers, k, d);
    const centerShiftSq = squaredCenterShift(centers, sums);
    recordCenterMoves(workspace, sums);
    centers.set(sums);
    iterations++;
    onIteration?.({ run, iteration: iterations, inertia, centerShiftSq, changedLabels });
    if (changedLabels === 0) {
      hasConverged = true;
      isStrictlyConverged = true;
      break;
    }
    if (centerShiftSq <= toleranceAbs) {
      hasConverged = true;
      break;
    }
  }

  if (!isStrictlyConverged) {
    // Lloyd's final E-step, through the bounds: the labels then match the returned centres.
    prepareHamerlyPass(workspace);
    control[CONTROL.isFirstPass] = 0;
    yield 'hamerly';
  }
  yield 'measure';
  const inertia = sumPartials(workspace, inertiaOffset(workspace));
  return { inertia, iterations, hasConverged, isStrictlyConverged };
}

/**
 * Serial set-up of a `hamerly` pass: OUT centerNorms, centerHalfGaps (s(c), rounded down) and
 * CONTROL.maxCenterNorm (rounded up) for the current centres. O(k² · d).
 */
export function prepareHamerlyPass(workspace: KMeansWorkspace): void {
  const { d, k, centers, centerNorms, centerHalfGaps, control } = workspace;
  const rounding = roundingBound(d);
  computeCenterNorms(centers, k, d, centerNorms);
  let maxNorm = 0;
  for (let c = 0; c < k; c++) if (centerNorms[c]! > maxNorm) maxNorm = centerNorms[c]!;
  control[CONTROL.maxCenterNorm] = Math.sqrt(maxNorm * (1 + rounding)) * ROUND_UP;
  for (let c = 0; c < k; c++) {
    let nearest = Number.POSITIVE_INFINITY;
    for (let other = 0; other < k; other++) {
      if (other === c) continue;
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = centers[c * d + j]! - centers[other * d + j]!;
        dist += diff * diff;
      }
      if (dist < nearest) nearest = dist;
    }
    // With k = 1 the gap is infinite: no other centre can take a row.
    centerHalfGaps[c] = 0.5 * Math.sqrt(nearest * (1 - rounding)) * ROUND_DOWN;
  }
}

/**
 * OUT centerMoves[c] = ‖next_c − centers_c‖ rounded up, and CONTROL.maxMove, maxMoveCenter, secondMove:
 * the largest move, its centre, and the largest move of any other centre (0 when k = 1).
 */
export function recordCenterMoves(workspace: KMeansWorkspace, next: Float64Array): void {
  const { d, k, centers, centerMoves, control } = workspace;
  const rounding = roundingBound(d);
  let maxMove = 0;
  let maxMoveCenter = 0;
  let secondMove = 0;
  for (let c = 0; c < k; c++) {
    let moveSq = 0;
    for (let j = c * d; j < (c + 1) * d; j++) {
      const diff = next[j]! - centers[j]!;
      moveSq += diff * diff;
    }
    const move = Math.sqrt(moveSq * (1 + rounding)) * ROUND_UP;
    centerMoves[c] = move;
    if (move > maxMove) {
      secondMove = maxMove;
      maxMove = move;
      maxMoveCenter = c;
    } else if (move > secondMove) {
      secondMove = move;
    }
  }
  control[CONTROL.maxMove] = maxMove;
  control[CONTROL.maxMoveCenter] = maxMoveCenter;
  control[CONTROL.secondMove] = secondMove;
}

/**
 * Phase `hamerly` on one chunk: updates the bounds of its rows by the last centre moves, relabels the
 * rows whose bounds fail, and OUT in the chunk's slot of `partials` the changes to the cluster sums and
 * weights (+x for the new cluster, −x for the old one; on the first pass, the plain sums), the count of
 * changed labels and, when CONTROL.isTracing, the inertia (with OUT distances of every row).
 *
 * Two stages: the bound tests walk the chunk and list the rows that need a full scan; the scans then
 * take those rows two at a time against four centres at a time, like Lloyd's labelRowRange, so each
 * loaded centre coordinate serves eight dot products.
 */
export function hamerlyChunk(workspace: KMeansWorkspace, chunk: number, scratch: KMeansScratch): void {
  const { d, k, partials, partialStride, control } = workspace;
  const { changes, tallies, rows: pending } = scratch;
  const start = chunkStart(chunk);
  const end = chunkEnd(workspace, chunk);
  // Sum changes and tallies go to this thread's scratch first and to the shared slot once per chunk,
  // so two threads on neighbouring chunks never write to one cache line row by row. The loops live in
  // their own functions: V8 optimises a hot loop before the code after it has ever run, and an
  // operation there without type feedback would deoptimise the kernel on every call.
  changes.fill(0);
  tallies.fill(0);
  const isFirstPass = control[CONTROL.isFirstPass] === 1;
  const pendingCount = isFirstPass ? listRows(start, end, pending) : testBounds(workspace, start, end, scratch);
  scanPendingRows(workspace, pending, pendingCount, isFirstPass, control[CONTROL.isTracing] === 1, scratch);
  const base = chunk * partialStride;
  partials.set(changes, base);
  partials[base + 2 * k * d + k] = tallies[TALLY_INERTIA]!;
  partials[base + 2 * k * d + k + 1] = tallies[TALLY_CHANGED]!;
}

/** Indices into KMeansScratch.tallies. */
const TALLY_INERTIA = 0;
const TALLY_CHANGED = 1;
const TALLY_TOUCHED = 2;

/** OUT pending = start…end − 1; returns the count. */
function listRows(start: number, end: number, pending: Int32Array): number {
  let count = 0;
  for (let i = start; i < end; i++) pending[count++] = i;
  return count;
}

/**
 * The bound tests of rows [start, end): keeps, or relabels between the assigned and the second centre,
 * every row its bounds allow, and lists the others in scratch.rows for a full scan; returns their
 * count. Changes go to scratch.changes and scratch.tallies.
 */
function testBounds(workspace: KMeansWorkspace, start: number, end: number, scratch: KMeansScratch): number {
  const { data, d, k, shift, centers, labels, distances, control } = workspace;
  const { centerNorms, upper, lower, lowerSecond, seconds, rowNorms, centerMoves, centerHalfGaps } = workspace;
  const isTracing = control[CONTROL.isTracing] === 1;
  const maxCenterNorm = control[CONTROL.maxCenterNorm]!;
  const maxMove = control[CONTROL.maxMove]!;
  const maxMoveCenter = control[CONTROL.maxMoveCenter]!;
  const secondMove = control[CONTROL.secondMove]!;
  const rounding = roundingBound(d);
  const { rows: pending, row, changes, tallies } = scratch;
  const kd = k * d;
  let pendingCount = 0;
  {
    for (let i = start, rowOffset = start * d; i < end; i++, rowOffset += d) {
      const label = labels[i]!;
      const second = seconds[i]!;
      // One load per row keeps the hardware prefetcher streaming x: the rows that fail their bounds
      // are scattered, and fetching each on demand costs a memory latency (measured at 1,000,000 × 12:
      // a mid-run pass drops from about 40 ms to 25 ms).
      tallies[TALLY_TOUCHED]! += data[rowOffset]!;
      let upperBound = (upper[i]! + centerMoves[label]!) * ROUND_UP;
      const secondBound = (lowerSecond[i]! - centerMoves[second]!) * ROUND_DOWN;
      const restBound = (lower[i]! - (label === maxMoveCenter ? secondMove : maxMove)) * ROUND_DOWN;
      lowerSecond[i] = secondBound;
      lower[i] = restBound;
      const halfGap = centerHalfGaps[label]!;
      const scale = maxCenterNorm + rowNorms[i]!;
      const margin = 4 * rounding * scale * scale;
      const otherBound = secondBound < restBound ? secondBound : restBound;
      let bound = 2 * halfGap - upperBound;
      if (otherBound > bound) bound = otherBound;
      if (bound > upperBound && (bound - upperBound) * (bound + upperBound) > margin) {
        upper[i] = upperBound;
        if (isTracing) {
          const dist = distanceToCenter(data, rowOffset, d, shift, centers, label * d);
          distances[i] = dist;
          tallies[TALLY_INERTIA]! += dist;
        }
        continue;
      }
      // Tighten u to the exact distance to the assigned centre; same arithmetic as Lloyd's distances.
      let dist = distanceToCenter(data, rowOffset, d, shift, centers, label * d);
      upperBound = Math.sqrt(dist * (1 + rounding)) * ROUND_UP;
      upper[i] = upperBound;
      bound = 2 * halfGap - upperBound;
      if (otherBound > bound) bound = otherBound;
      if (bound > upperBound && (bound - upperBound) * (bound + upperBound) > margin) {
        if (isTracing) {
          distances[i] = dist;
          tallies[TALLY_INERTIA]! += dist;
        }
        continue;
      }
      bound = 2 * halfGap - upperBound;
      if (restBound > bound) bound = restBound;
      if (!(bound > upperBound && (bound - upperBound) * (bound + upperBound) > margin)) {
        pending[pendingCount++] = i;
        continue;
      }
      // Every centre but the second-nearest is still ruled out: compare the two by Lloyd's scores
      // (lower index on a tie, as Lloyd's scan) instead of scanning all k.
      let squaredNorm = 0;
      let dotLabel = 0;
      let dotSecond = 0;
      const labelOffset = label * d;
      const secondOffset = second * d;
      for (let j = 0; j < d; j++) {
        const value = data[rowOffset + j]! - shift[j]!;
        row[j] = value;
        squaredNorm += value * value;
        dotLabel += value * centers[labelOffset + j]!;
        dotSecond += value * centers[secondOffset + j]!;
      }
      const scoreLabel = centerNorms[label]! - 2 * dotLabel;
      const scoreSecond = centerNorms[second]! - 2 * dotSecond;
      const isMoving = scoreSecond < scoreLabel || (scoreSecond === scoreLabel && second < label);
      const slack = 3 * rounding * scale * scale;
      const bestScore = isMoving ? scoreSecond : scoreLabel;
      const otherScore = isMoving ? scoreLabel : scoreSecond;
      upper[i] = Math.sqrt(Math.max(0, bestScore + squaredNorm) + slack) * ROUND_UP;
      lowerSecond[i] = Math.sqrt(Math.max(0, otherScore + squaredNorm - slack)) * ROUND_DOWN;
      if (isMoving) {
        labels[i] = second;
        seconds[i] = label;
        tallies[TALLY_CHANGED]!++;
        for (let j = 0; j < d; j++) {
          addDoubleDouble(changes, secondOffset + j, kd + secondOffset + j, row[j]!);
          addDoubleDouble(changes, labelOffset + j, kd + labelOffset + j, -row[j]!);
        }
        changes[2 * kd + second]!++;
        changes[2 * kd + label]!--;
        if (isTracing) dist = distanceToCenter(data, rowOffset, d, shift, centers, secondOffset);
      }
      if (isTracing) {
        distances[i] = dist;
        tallies[TALLY_INERTIA]! += dist;
      }
    }
  }
  return pendingCount;
}

/**
 * Full scans of the listed rows, two at a time: Lloyd's scores ‖c‖² − 2x·c for every centre (same
 * values as labelRowRange), the best and second-best score of each row, then its new label, bounds and
 * sum changes (to scratch.changes and scratch.tallies).
 */
function scanPendingRows(
  workspace: KMeansWorkspace,
  pending: Int32Array,
  pendingCount: number,
  isFirstPass: boolean,
  isTracing: boolean,
  scratch: KMeansScratch,
): void {
  const { data, d, k, shift, centers, centerNorms, labels, upper, lower, lowerSecond, seconds, rowNorms, distances, control } =
    workspace;
  const { row, scores, changes, tallies } = scratch;
  const rounding = roundingBound(d);
  const maxCenterNorm = control[CONTROL.maxCenterNorm]!;
  const kd = k * d;
  for (let p = 0; p < pendingCount; p += 2) {
    const iA = pending[p]!;
    // The last row of an odd list is paired with itself.
    const iB = p + 1 < pendingCount ? pending[p + 1]! : iA;
    const offsetA = iA * d;
    const offsetB = iB * d;
    let squaredNormA = 0;
    let squaredNormB = 0;
    for (let j = 0; j < d; j++) {
      const valueA = data[offsetA + j]! - shift[j]!;
      const valueB = data[offsetB + j]! - shift[j]!;
      row[j] = valueA;
      row[d + j] = valueB;
      squaredNormA += valueA * valueA;
      squaredNormB += valueB * valueB;
    }
    let c = 0;
    for (; c + 3 < k; c += 4) {
      const offset0 = c * d;
      const offset1 = offset0 + d;
      const offset2 = offset1 + d;
      const offset3 = offset2 + d;
      let dotA0 = 0;
      let dotA1 = 0;
      let dotA2 = 0;
      let dotA3 = 0;
      let dotB0 = 0;
      let dotB1 = 0;
      let dotB2 = 0;
      let dotB3 = 0;
      for (let j = 0; j < d; j++) {
        const valueA = row[j]!;
        const valueB = row[d + j]!;
        const center0 = centers[offset0 + j]!;
        const center1 = centers[offset1 + j]!;
        const center2 = centers[offset2 + j]!;
        const center3 = centers[offset3 + j]!;
        dotA0 += valueA * center0;
        dotA1 += valueA * center1;
        dotA2 += valueA * center2;
        dotA3 += valueA * center3;
        dotB0 += valueB * center0;
        dotB1 += valueB * center1;
        dotB2 += valueB * center2;
        dotB3 += valueB * center3;
      }
      scores[c] = centerNorms[c]! - 2 * dotA0;
      scores[c + 1] = centerNorms[c + 1]! - 2 * dotA1;
      scores[c + 2] = centerNorms[c + 2]! - 2 * dotA2;
      scores[c + 3] = centerNorms[c + 3]! - 2 * dotA3;
      scores[k + c] = centerNorms[c]! - 2 * dotB0;
      scores[k + c + 1] = centerNorms[c + 1]! - 2 * dotB1;
      scores[k + c + 2] = centerNorms[c + 2]! - 2 * dotB2;
      scores[k + c + 3] = centerNorms[c + 3]! - 2 * dotB3;
    }
    for (; c < k; c++) {
      const offset = c * d;
      let dotA = 0;
      let dotB = 0;
      for (let j = 0; j < d; j++) {
        const center = centers[offset + j]!;
        dotA += row[j]! * center;
        dotB += row[d + j]! * center;
      }
      scores[c] = centerNorms[c]! - 2 * dotA;
      scores[k + c] = centerNorms[c]! - 2 * dotB;
    }
    // Label each row of the pair from its scores (lowest score, ties to the lower index, as
    // labelRowRange's strict `<` scan), then store its bounds and add its move to the sum changes.
    const pairSize = iB === iA ? 1 : 2;
    for (let r = 0; r < pairSize; r++) {
      const i = r === 0 ? iA : iB;
      const rowAt = r * d;
      const scoresAt = r * k;
      const squaredNorm = r === 0 ? squaredNormA : squaredNormB;
      let best = 0;
      let second = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      let secondScore = Number.POSITIVE_INFINITY;
      let thirdScore = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const score = scores[scoresAt + c]!;
        if (score < bestScore) {
          thirdScore = secondScore;
          secondScore = bestScore;
          second = best;
          bestScore = score;
          best = c;
        } else if (score < secondScore) {
          thirdScore = secondScore;
          secondScore = score;
          second = c;
        } else if (score < thirdScore) {
          thirdScore = score;
        }
      }
      let rowNorm: number;
      if (isFirstPass) {
        rowNorm = Math.sqrt(squaredNorm * (1 + rounding)) * ROUND_UP;
        rowNorms[i] = rowNorm;
      } else {
        rowNorm = rowNorms[i]!;
      }
      // Squared distances from the scores (score + ‖x‖²), widened by their rounding error.
      const scale = maxCenterNorm + rowNorm;
      const slack = 3 * rounding * scale * scale;
      upper[i] = Math.sqrt(Math.max(0, bestScore + squaredNorm) + slack) * ROUND_UP;
      lowerSecond[i] = Math.sqrt(Math.max(0, secondScore + squaredNorm - slack)) * ROUND_DOWN;
      lower[i] = Math.sqrt(Math.max(0, thirdScore + squaredNorm - slack)) * ROUND_DOWN;
      seconds[i] = second;
      if (isTracing) {
        let dist = 0;
        for (let j = 0; j < d; j++) {
          const diff = row[rowAt + j]! - centers[best * d + j]!;
          dist += diff * diff;
        }
        distances[i] = dist;
        tallies[TALLY_INERTIA]! += dist;
      }
      const label = labels[i]!;
      if (best !== label) {
        tallies[TALLY_CHANGED]!++;
        labels[i] = best;
        const toOffset = best * d;
        for (let j = 0; j < d; j++) addDoubleDouble(changes, toOffset + j, kd + toOffset + j, row[rowAt + j]!);
        changes[2 * kd + best]!++;
        if (label >= 0) {
          const fromOffset = label * d;
          for (let j = 0; j < d; j++) addDoubleDouble(changes, fromOffset + j, kd + fromOffset + j, -row[rowAt + j]!);
          changes[2 * kd + label]!--;
        }
      }
    }
  }
}

/** ‖(x_row − shift) − c‖², summed in the order of Lloyd's accumulation, so the values are equal. */
function distanceToCenter(
  data: Float64Array,
  rowOffset: number,
  d: number,
  shift: Float64Array,
  centers: Float64Array,
  centerOffset: number,
): number {
  let dist = 0;
  for (let j = 0; j < d; j++) {
    const diff = data[rowOffset + j]! - shift[j]! - centers[centerOffset + j]!;
    dist += diff * diff;
  }
  return dist;
}
