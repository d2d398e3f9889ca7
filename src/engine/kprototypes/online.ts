/**
 * One run of Huang's k-prototypes / k-modes iteration with the online ("move one row, update both
 * prototypes at once") scheme of the `kmodes` package 0.12.2 (`_k_prototypes_single`,
 * `_k_prototypes_iter`, `_move_point_cat`, `labels_cost`).
 *
 * Minimises the cost Σᵢ d(xᵢ, prototype of xᵢ), d = squared Euclidean distance on the numeric part +
 * γ × categorical mismatches (Huang 1997; k-modes is q columns only with γ = 1, Huang 1998).
 *
 * Scheme (the README of the reference fixtures lists the same rules):
 * 1. Assign every row, in file order, to the nearest initial prototype (ties to the lowest index); the
 *    prototypes do not change during this pass.
 * 2. Numeric prototypes = per-cluster sums / counts; modes = per-column most frequent code (ties to the
 *    smallest code). The initial cost is measured from these prototypes.
 * 3. Each pass visits the rows in order. A row whose nearest prototype is not its cluster's moves at
 *    once: counts, sums and code frequencies of both clusters are updated; the receiving cluster's mode
 *    of a column becomes the row's code only if that code's count is now strictly greater than the
 *    current mode's; in the losing cluster, if the removed code was the mode, the mode is recomputed
 *    (ties to the smallest code); both numeric prototypes become sums / counts. If the losing cluster
 *    empties, a uniformly drawn row of the largest cluster (first on ties) moves into it.
 * 4. After each pass, labels and cost are recomputed from the current prototypes (these labels are the
 *    result, and may differ from the online memberships the next pass starts from). Stop when no row
 *    moved, or the cost did not decrease, or after maxIterations passes. The returned cost is the last
 *    pass's, even when that pass raised it (kmodes returns it, and the stopping rule is what noticed).
 *
 * Numeric prototypes are running sums divided by counts, as in kmodes, so they may differ from fresh
 * means of the final clusters by rounding (≈1e-14 on standardised data).
 *
 * Notation: n rows, p numeric columns, q categorical columns (cardinalities m_j, M = Σ m_j), k clusters.
 * Complexity: O(n · k · (p + q)) per pass (one online pass and one labelling pass) at worst, plus
 * O(p + q + m_j) per move; memory O(n + k · (p + M)). Frequencies live in one k × M Int32Array, so a move
 * touches 2q counters and recomputes a mode only when the losing cluster's mode lost a row.
 *
 * Acceleration (exact): as in Hamerly's k-means ("Making k-means even faster", SDM 2010), each row keeps
 * an upper bound on the distance to its own prototype and a lower bound on the distance to every other,
 * both loosened by how far prototypes can have moved since they were measured (one global drift sum:
 * Euclidean shifts for the numeric part, changed mode columns for the mismatches). A row whose bounds
 * prove its own prototype strictly nearest, with a 1e-9 relative margin over rounding, is skipped in the
 * online pass and needs one distance instead of k in the labelling pass. The exact evaluation would have
 * made the same choice, so labels, prototypes and costs are unchanged to the last bit; late passes, which
 * move few rows, run several times faster.
 *
 * Deviation from kmodes: after an empty cluster is refilled with a row of the largest cluster, both
 * clusters' numeric prototypes are recomputed from their sums; kmodes leaves the refilled one at the
 * zero vector and the donor at its old mean until their next move.
 */
import { distancesToPrototypes, nearestPrototype } from './distance.ts';
import type { RandomSource } from './init.ts';

/** Read-only data of a fit: numeric rows n × p and categorical codes n × q. */
export interface OnlineData {
  readonly num: Float64Array;
  readonly cat: Int32Array;
  readonly n: number;
  readonly p: number;
  readonly q: number;
  readonly cardinalities: Int32Array;
  /** q + 1 prefix sums of the cardinalities: column j's counters start at columnOffsets[j]. */
  readonly columnOffsets: Int32Array;
}

/** Buffers of a fit, allocated once and reused by every run and pass. */
export interface OnlineWorkspace {
  /** IN: initial numeric prototypes; OUT: final ones (k × p). */
  readonly centroids: Float64Array;
  /** IN: initial modes; OUT: final ones (k × q). */
  readonly modes: Int32Array;
  /** Per-cluster sums of the numeric columns (k × p). */
  readonly sums: Float64Array;
  /** Rows per cluster by online membership (k). */
  readonly counts: Int32Array;
  /** Code frequencies per cluster: frequencies[c · M + columnOffsets[j] + code] (k × M). */
  readonly frequencies: Int32Array;
  /** Online membership of each row (n). */
  readonly membership: Int32Array;
  /** OUT: labels of the last labelling pass (n). */
  readonly labels: Int32Array;
  /** Scratch: the dissimilarities of one row to every prototype (k). */
  readonly distances: Float64Array;
  /** Per row: upper bound on d(row, own prototype) when last measured; +Infinity = no bounds yet (n). */
  readonly upper: Float64Array;
  /** Per row: lower bound on d(row, any other prototype) when last measured (n). */
  readonly lower: Float64Array;
  /** Per row: `drift[0]` when its bounds were measured (n). */
  readonly driftAt: Float64Array;
  /** Per row: `drift[1]` when its bounds were measured (n). */
  readonly modeChangesAt: Float64Array;
  /**
   * [0]: Σ over moves of the larger Euclidean shift of the two numeric prototypes involved, an upper
   * bound on how far any one prototype moved since any earlier moment; [1]: Σ over moves of the larger
   * number of mode columns changed, a bound on how much any mismatch count changed.
   */
  readonly drift: Float64Array;
}

export function createOnlineData(
  num: Float64Array,
  cat: Int32Array,
  n: number,
  p: number,
  q: number,
  cardinalities: Int32Array,
): OnlineData {
  const columnOffsets = new Int32Array(q + 1);
  for (let j = 0; j < q; j++) columnOffsets[j + 1] = columnOffsets[j]! + cardinalities[j]!;
  return { num, cat, n, p, q, cardinalities, columnOffsets };
}

export function createOnlineWorkspace(data: OnlineData, k: number): OnlineWorkspace {
  const { n, p, q, columnOffsets } = data;
  return {
    centroids: new Float64Array(k * p),
    modes: new Int32Array(k * q),
    sums: new Float64Array(k * p),
    counts: new Int32Array(k),
    frequencies: new Int32Array(k * columnOffsets[q]!),
    membership: new Int32Array(n),
    labels: new Int32Array(n),
    distances: new Float64Array(k),
    upper: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
    lower: new Float64Array(n),
    driftAt: new Float64Array(n),
    modeChangesAt: new Float64Array(n),
    drift: new Float64Array(2),
  };
}

/**
 * Step 1: assigns every row to its nearest initial prototype (workspace.centroids / modes, unchanged)
 * and fills membership, counts, sums and frequencies. Returns the number of empty clusters.
 */
export function assignInitial(data: OnlineData, ws: OnlineWorkspace, k: number, gamma: number): number {
  const { num, cat, n, p, q, columnOffsets } = data;
  const { centroids, modes, sums, counts, frequencies, membership, distances } = ws;
  const width = columnOffsets[q]!;
  sums.fill(0, 0, k * p);
  counts.fill(0, 0, k);
  frequencies.fill(0, 0, k * width);
  // A new start: no row has bounds yet.
  ws.upper.fill(Number.POSITIVE_INFINITY);
  ws.drift.fill(0);
  for (let i = 0, io = 0, iq = 0; i < n; i++, io += p, iq += q) {
    const c = nearestPrototype(num, io, cat, iq, centroids, modes, p, q, k, gamma, distances);
    membership[i] = c;
    counts[c]!++;
    const so = c * p;
    for (let j = 0; j < p; j++) sums[so + j]! += num[io + j]!;
    const fo = c * width;
    for (let j = 0; j < q; j++) frequencies[fo + columnOffsets[j]! + cat[iq + j]!]!++;
  }
  let empty = 0;
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty++;
  return empty;
}

/**
 * Step 2: numeric prototypes = sums / counts and modes = most frequent codes (smallest on ties) for
 * every non-empty cluster; an empty cluster keeps its prototype.
 */
export function updatePrototypes(data: OnlineData, ws: OnlineWorkspace, k: number): void {
  const { p, q, cardinalities, columnOffsets } = data;
  const { centroids, modes, sums, counts, frequencies } = ws;
  const width = columnOffsets[q]!;
  for (let c = 0; c < k; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    for (let j = 0; j < p; j++) centroids[c * p + j] = sums[c * p + j]! / count;
    for (let j = 0; j < q; j++) {
      modes[c * q + j] = mostFrequentCode(frequencies, c * width + columnOffsets[j]!, cardinalities[j]!);
    }
  }
}

/** Smallest code with the highest count among frequencies[offset … offset + m). */
function mostFrequentCode(frequencies: Int32Array, offset: number, m: number): number {
  let best = 0;
  let bestCount = frequencies[offset]!;
  for (let v = 1; v < m; v++) {
    const count = frequencies[offset + v]!;
    if (count > bestCount) {
      bestCount = count;
      best = v;
    }
  }
  return best;
}

/**
 * Labels every row with its nearest prototype (OUT ws.labels) and returns the cost, summed in row order
 * as kmodes' `labels_cost` does. Rows whose bounds prove their own prototype strictly nearest get one
 * distance instead of k (see `isOwnProvenNearest`); the labels and the cost are the same doubles.
 */
export function labelAndMeasure(data: OnlineData, ws: OnlineWorkspace, k: number, gamma: number): number {
  const { num, cat, n, p, q } = data;
  const { centroids, modes, labels, distances, membership, upper, lower, driftAt, modeChangesAt, drift } = ws;
  const drifted = drift[0]!;
  const modeChanges = drift[1]!;
  let cost = 0;
  for (let i = 0, io = 0, iq = 0; i < n; i++, io += p, iq += q) {
    const own = membership[i]!;
    const lowerNow = boundOthersNow(ws, i, gamma);
    if (isOwnProvenNearest(ws, i, gamma, lowerNow)) {
      distancesToPrototypes(num, io, cat, iq, centroids, modes, p, q, own, own + 1, gamma, distances);
      const distance = distances[own]!;
      labels[i] = own;
      cost += distance;
      upper[i] = distance;
      lower[i] = lowerNow;
    } else {
      const best = nearestPrototype(num, io, cat, iq, centroids, modes, p, q, k, gamma, distances);
      labels[i] = best;
      cost += distances[best]!;
      upper[i] = distances[own]!;
      lower[i] = smallestExcept(distances, k, own);
    }
    driftAt[i] = drifted;
    modeChangesAt[i] = modeChanges;
  }
  return cost;
}

/**
 * Relative margin of the bound tests. Computed distances carry a relative rounding error near 1e-15
 * (sums of non-negative terms), the drift sums about 1e-16 per move; 1e-9 covers both with room, so a
 * row is skipped only when the exact evaluation would certainly pick its own prototype, and strictly
 * (a tie would go to the lower index).
 */
const BOUND_MARGIN = 1e-9;

/**
 * Lower bound, now, on d(row i, c) for every c other than its own prototype. Derivation: if the row's
 * numeric distance to c was e₀ (e₀² ≤ d₀) and c moved by at most Δ, the squared distance is now at least
 * (max(0, e₀ − Δ))² ≥ e₀² − 2e₀Δ, and each changed mode column lowers the mismatches by at most 1, so
 * d ≥ d₀ − 2√d₀·Δ − γH; as a function of d₀ ≥ l this is smallest at d₀ = l when √l ≥ Δ, else at −Δ².
 */
function boundOthersNow(ws: OnlineWorkspace, i: number, gamma: number): number {
  const lower = ws.lower[i]!;
  if (ws.upper[i] === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  if (lower === Number.POSITIVE_INFINITY) return lower;
  const drifted = ws.drift[0]!;
  const delta = (drifted - ws.driftAt[i]!) * (1 + BOUND_MARGIN) + drifted * BOUND_MARGIN;
  const modeShift = gamma * (ws.drift[1]! - ws.modeChangesAt[i]!);
  const root = Math.sqrt(lower);
  return (root >= delta ? lower - 2 * root * delta : -delta * delta) - modeShift;
}

/**
 * True when the row's bounds prove its own prototype strictly nearer than every other: the own distance
 * can have grown to at most (√u + Δ)² + γH, which must stay below `lowerNow` by the margin.
 */
function isOwnProvenNearest(ws: OnlineWorkspace, i: number, gamma: number, lowerNow: number): boolean {
  const upper = ws.upper[i]!;
  if (upper === Number.POSITIVE_INFINITY || lowerNow <= 0) return false;
  const drifted = ws.drift[0]!;
  const delta = (drifted - ws.driftAt[i]!) * (1 + BOUND_MARGIN) + drifted * BOUND_MARGIN;
  const upperNow = upper + delta * (2 * Math.sqrt(upper) + delta) + gamma * (ws.drift[1]! - ws.modeChangesAt[i]!);
  return upperNow * (1 + BOUND_MARGIN) < lowerNow * (1 - BOUND_MARGIN);
}

function smallestExcept(distances: Float64Array, k: number, skip: number): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) if (c !== skip && distances[c]! < smallest) smallest = distances[c]!;
  return smallest;
}

/**
 * Step 3: one online pass over the rows. Returns the number of moves. A row whose bounds prove its own
 * prototype strictly nearest is skipped without computing a distance: the exact evaluation would keep it.
 */
export function runOnlinePass(data: OnlineData, ws: OnlineWorkspace, k: number, gamma: number, random: RandomSource): number {
  const { num, cat, n, p, q } = data;
  const { centroids, modes, counts, membership, distances, upper, lower, driftAt, modeChangesAt, drift } = ws;
  let moves = 0;
  for (let i = 0, io = 0, iq = 0; i < n; i++, io += p, iq += q) {
    if (isOwnProvenNearest(ws, i, gamma, boundOthersNow(ws, i, gamma))) continue;
    const to = nearestPrototype(num, io, cat, iq, centroids, modes, p, q, k, gamma, distances);
    // Bounds as measured now, before this row's own move shifts two prototypes (which drift then counts).
    upper[i] = distances[to]!;
    lower[i] = smallestExcept(distances, k, to);
    driftAt[i] = drift[0]!;
    modeChangesAt[i] = drift[1]!;
    const from = membership[i]!;
    if (to === from) continue;
    moves++;
    moveRow(data, ws, i, from, to);
    if (counts[from] === 0) refillEmptyCluster(data, ws, k, from, random);
  }
  return moves;
}

/** Moves row i from cluster `from` to cluster `to` with kmodes' update rules (step 3). */
function moveRow(data: OnlineData, ws: OnlineWorkspace, i: number, from: number, to: number): void {
  const { num, cat, p, q, cardinalities, columnOffsets } = data;
  const { centroids, modes, sums, counts, frequencies, membership, drift } = ws;
  const width = columnOffsets[q]!;
  membership[i] = to;
  const countTo = ++counts[to]!;
  const countFrom = --counts[from]!;
  const io = i * p;
  const toOffset = to * p;
  const fromOffset = from * p;
  for (let j = 0; j < p; j++) {
    const value = num[io + j]!;
    sums[toOffset + j]! += value;
    sums[fromOffset + j]! -= value;
  }
  let shiftTo = 0;
  let shiftFrom = 0;
  for (let j = 0; j < p; j++) {
    const newTo = sums[toOffset + j]! / countTo;
    // kmodes sets an emptied cluster's numeric prototype to 0 (it is refilled right after).
    const newFrom = countFrom === 0 ? 0 : sums[fromOffset + j]! / countFrom;
    const dTo = newTo - centroids[toOffset + j]!;
    const dFrom = newFrom - centroids[fromOffset + j]!;
    shiftTo += dTo * dTo;
    shiftFrom += dFrom * dFrom;
    centroids[toOffset + j] = newTo;
    centroids[fromOffset + j] = newFrom;
  }
  const iq = i * q;
  const toFrequencies = to * width;
  const fromFrequencies = from * width;
  let changedTo = 0;
  let changedFrom = 0;
  for (let j = 0; j < q; j++) {
    const code = cat[iq + j]!;
    const column = columnOffsets[j]!;
    const countCode = ++frequencies[toFrequencies + column + code]!;
    const toMode = to * q + j;
    if (frequencies[toFrequencies + column + modes[toMode]!]! < countCode) {
      modes[toMode] = code;
      changedTo++;
    }
    frequencies[fromFrequencies + column + code]!--;
    const fromMode = from * q + j;
    if (modes[fromMode] === code) {
      const mode = mostFrequentCode(frequencies, fromFrequencies + column, cardinalities[j]!);
      if (mode !== code) changedFrom++;
      modes[fromMode] = mode;
    }
  }
  // Each prototype's own drift is at most the larger of the two, which keeps the bound per prototype.
  drift[0]! += Math.sqrt(Math.max(shiftTo, shiftFrom));
  drift[1]! += Math.max(changedTo, changedFrom);
}

/**
 * kmodes' empty-cluster rule: a uniformly drawn member (in row order) of the largest cluster (lowest
 * index on ties) moves into the emptied cluster. O(n), and rare.
 */
function refillEmptyCluster(data: OnlineData, ws: OnlineWorkspace, k: number, empty: number, random: RandomSource): void {
  const { counts, membership } = ws;
  const { n } = data;
  let donor = 0;
  for (let c = 1; c < k; c++) if (counts[c]! > counts[donor]!) donor = c;
  let rank = random.nextInt(counts[donor]!);
  let row = 0;
  for (; row < n; row++) {
    if (membership[row] === donor) {
      if (rank === 0) break;
      rank--;
    }
  }
  // moveRow also sets both numeric prototypes to sums / counts: the deviation noted in the file header.
  moveRow(data, ws, row, donor, empty);
  // The row's bounds referred to its old cluster.
  ws.upper[row] = Number.POSITIVE_INFINITY;
}

/** Outcome of the passes of one run. */
export interface OnlineRunResult {
  readonly cost: number;
  readonly iterations: number;
  /** Initial cost, then the cost after each pass. */
  readonly epochCosts: number[];
  /** Moves of each pass. */
  readonly epochMoves: number[];
  /** True when the last pass moved no row or did not lower the cost (kmodes' `converged`). */
  readonly hasConverged: boolean;
}

/**
 * Steps 3–4, after `assignInitial` and `updatePrototypes` (and the caller's handling of clusters the
 * initial assignment left empty): the initial cost, then passes until the stopping rule. Labels end in
 * ws.labels, prototypes in ws.centroids and ws.modes.
 */
export function runOnline(
  data: OnlineData,
  ws: OnlineWorkspace,
  k: number,
  gamma: number,
  maxIterations: number,
  random: RandomSource,
): OnlineRunResult {
  let cost = labelAndMeasure(data, ws, k, gamma);
  const epochCosts = [cost];
  const epochMoves: number[] = [];
  let iterations = 0;
  let hasConverged = false;
  while (iterations < maxIterations && !hasConverged) {
    iterations++;
    const moves = runOnlinePass(data, ws, k, gamma, random);
    const newCost = labelAndMeasure(data, ws, k, gamma);
    hasConverged = moves === 0 || newCost >= cost;
    epochCosts.push(newCost);
    epochMoves.push(moves);
    cost = newCost;
  }
  return { cost, iterations, epochCosts, epochMoves, hasConverged };
}
