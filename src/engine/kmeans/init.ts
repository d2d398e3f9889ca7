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
 * Complexity: O(n · d · k · (3 + ⌊ln k⌋)) time, O(n) extra memory; one pass over x per centre.
 *
 * Work is split into the row chunks of workspace.ts so that it runs in parallel (src/compute) with
 * the same picks: per centre, one `seed-candidates` pass lowers D(x)² to the previous pick and sums each
 * candidate's potential per chunk; the driver adds the chunk sums in chunk order, keeps the best
 * candidate, and finds the next draws by a serial search that reads only the chunks holding them.
 *
 * Deviations from scikit-learn, none of which changes the distribution of picks:
 * - squared distances are computed directly as Σ (x − c)² instead of ‖x‖² + ‖c‖² − 2x·c, so they
 *   are never negative and need no clipping;
 * - the candidates' potentials are accumulated in one pass over the rows, and no n × trials distance
 *   matrix or cumulative-sum array is allocated;
 * - the cumulative sum searched (numpy's searchsorted over cumsum(D(x)²)) is taken per chunk: the
 *   running sum at row i is (Σ of earlier chunks' totals) + (running sum within i's chunk), which
 *   equals the plain running sum up to rounding and is the same whatever the thread count;
 * - uniform draws come from the engine's seeded xoshiro128** generator, not numpy's Mersenne Twister,
 *   so the same seed does not pick the same rows as scikit-learn.
 */
import { squaredDistance } from '../matrix.ts';
import type { DenseMatrix } from '../matrix.ts';
import type { Random } from '../random.ts';
import { assertClusterCount, assertValidMatrix } from '../validate.ts';
import { CONTROL, chunkEnd, chunkStart, createKMeansScratch, createKMeansWorkspace } from './workspace.ts';
import type { KMeansPhase, KMeansScratch, KMeansWorkspace } from './workspace.ts';

export { localTrialCount } from './workspace.ts';

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
  seedKMeansPlusPlusInThread(x.data, x.rows, x.cols, k, random, out);
  return { data: out, rows: k, cols: x.cols };
}

/** kmeansPlusPlus without validation, in the calling thread: OUT outCenters (k × d). */
export function seedKMeansPlusPlusInThread(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  random: Random,
  outCenters: Float64Array,
): void {
  const workspace = createKMeansWorkspace(data, n, d, k, { algorithm: 'lloyd', seeding: true, iterations: false });
  const scratch = createKMeansScratch(workspace);
  const steps = seedKMeansPlusPlusSteps(workspace, random, outCenters);
  for (let step = steps.next(); step.done !== true; step = steps.next()) {
    for (let chunk = 0; chunk < workspace.chunkCount; chunk++) {
      if (step.value === 'seed-first') seedFirstChunk(workspace, chunk);
      else seedCandidatesChunk(workspace, chunk, scratch);
    }
  }
}

/**
 * The serial driver of greedy k-means++: yields `seed-first` once and `seed-candidates` k − 1 times;
 * the caller runs each yielded phase over every chunk before resuming. Assumes validated input.
 *
 * @param outCenters - OUT, k × d: the chosen rows of x, in the units of x.
 */
export function* seedKMeansPlusPlusSteps(
  workspace: KMeansWorkspace,
  random: Random,
  outCenters: Float64Array,
): Generator<KMeansPhase, void, void> {
  const { n, d, k, trials, data, seedRows, control } = workspace;
  const targets = new Float64Array(trials);
  const targetOrder = new Int32Array(trials);
  const candidates = new Int32Array(trials);
  const candidatePotentials = new Float64Array(trials);

  const first = random.nextInt(n);
  copyRow(data, first, d, outCenters, 0);
  copyRow(data, first, d, seedRows, 0);
  yield 'seed-first';
  if (k === 1) return;
  drawTargets(random, sumPotentials(workspace, 0), targets, targetOrder);
  searchCumulative(workspace, 0, false, targets, targetOrder, candidates);

  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) copyRow(data, candidates[t]!, d, seedRows, 1 + t);
    // Row 0 of seedRows holds the pick of step c − 1, which D(x)² does not include yet (the search
    // after that pick lowered D(x)² only on the fly); the first pass of step 1 has nothing pending.
    control[CONTROL.hasPreviousPick] = c > 1 ? 1 : 0;
    yield 'seed-candidates';
    for (let t = 0; t < trials; t++) candidatePotentials[t] = sumPotentials(workspace, t);
    // First minimum wins, as numpy's argmin.
    let best = 0;
    for (let t = 1; t < trials; t++) if (candidatePotentials[t]! < candidatePotentials[best]!) best = t;
    copyRow(data, candidates[best]!, d, outCenters, c);
    if (c + 1 < k) {
      copyRow(data, candidates[best]!, d, seedRows, 0);
      drawTargets(random, candidatePotentials[best]!, targets, targetOrder);
      searchCumulative(workspace, best, true, targets, targetOrder, candidates);
    }
  }
}

/**
 * Phase `seed-first`: OUT closest[i] = ‖xᵢ − seedRows row 0‖² for the chunk's rows, and OUT the chunk's
 * total in column 0 of seedPotentials.
 */
export function seedFirstChunk(workspace: KMeansWorkspace, chunk: number): void {
  const { data, d, closest, seedRows, seedPotentials, trials } = workspace;
  seedPotentials[chunk * trials] = measureFirstPick(data, d, seedRows, chunkStart(chunk), chunkEnd(workspace, chunk), closest);
}

/**
 * OUT closest[i] = ‖xᵢ − seedRows row 0‖² for rows [start, end); returns their sum. The kernels keep
 * their hot loops in functions like this one and store the results in the caller: V8 optimises a hot
 * loop before the code after it has ever run, and an operation there without type feedback would
 * deoptimise the kernel on every call.
 */
function measureFirstPick(
  data: Float64Array,
  d: number,
  seedRows: Float64Array,
  start: number,
  end: number,
  outClosest: Float64Array,
): number {
  let total = 0;
  for (let i = start, rowOffset = start * d; i < end; i++, rowOffset += d) {
    const dist = squaredDistance(data, rowOffset, seedRows, 0, d);
    outClosest[i] = dist;
    total += dist;
  }
  return total;
}

/**
 * Phase `seed-candidates`: for each row of the chunk, IN/OUT closest is first lowered to the distance to
 * the previous pick (seedRows row 0) when CONTROL.hasPreviousPick is set; then OUT seedPotentials
 * [chunk][t] = Σ min(closest[i], ‖xᵢ − candidate_t‖²) for the candidates in seedRows rows 1…trials.
 *
 * Two rows against four of the pick and candidates at a time, so each loaded coordinate serves four or
 * eight distances; each distance still sums its coordinates in order, so the values equal the plain
 * loop's, and rows are added to the potentials in row order. The potentials are summed in scratch and
 * stored once, so threads never write the same cache line per row.
 */
export function seedCandidatesChunk(workspace: KMeansWorkspace, chunk: number, scratch: KMeansScratch): void {
  const { seedPotentials, trials } = workspace;
  const sums = scratch.seedSums;
  accumulateCandidatePotentials(workspace, chunkStart(chunk), chunkEnd(workspace, chunk), scratch.seedDistances, sums);
  for (let t = 0; t < trials; t++) seedPotentials[chunk * trials + t] = sums[t]!;
}

/** The loop of seedCandidatesChunk over rows [start, end): OUT sums (trials), with IN/OUT closest. */
function accumulateCandidatePotentials(
  workspace: KMeansWorkspace,
  start: number,
  end: number,
  distances: Float64Array,
  sums: Float64Array,
): void {
  const { data, d, closest, seedRows, trials, control } = workspace;
  const hasPreviousPick = control[CONTROL.hasPreviousPick] === 1;
  const firstSlot = hasPreviousPick ? 0 : 1;
  const slots = 1 + trials;
  sums.fill(0);
  // Without a pending pick, slot 0 holds +∞ for both rows; the comparison with it then always runs,
  // so V8 has type feedback for it when the first pass that needs it arrives.
  distances[0] = Number.POSITIVE_INFINITY;
  distances[slots] = Number.POSITIVE_INFINITY;
  for (let i = start; i < end; i += 2) {
    // The second row of the pair; the last row of an odd range is paired with itself.
    const iB = i + 1 < end ? i + 1 : i;
    const offsetA = i * d;
    const offsetB = iB * d;
    let s = firstSlot;
    for (; s + 3 < slots; s += 4) {
      const offset0 = s * d;
      const offset1 = offset0 + d;
      const offset2 = offset1 + d;
      const offset3 = offset2 + d;
      let distA0 = 0;
      let distA1 = 0;
      let distA2 = 0;
      let distA3 = 0;
      let distB0 = 0;
      let distB1 = 0;
      let distB2 = 0;
      let distB3 = 0;
      for (let j = 0; j < d; j++) {
        const valueA = data[offsetA + j]!;
        const valueB = data[offsetB + j]!;
        const slot0 = seedRows[offset0 + j]!;
        const slot1 = seedRows[offset1 + j]!;
        const slot2 = seedRows[offset2 + j]!;
        const slot3 = seedRows[offset3 + j]!;
        let diff = valueA - slot0;
        distA0 += diff * diff;
        diff = valueA - slot1;
        distA1 += diff * diff;
        diff = valueA - slot2;
        distA2 += diff * diff;
        diff = valueA - slot3;
        distA3 += diff * diff;
        diff = valueB - slot0;
        distB0 += diff * diff;
        diff = valueB - slot1;
        distB1 += diff * diff;
        diff = valueB - slot2;
        distB2 += diff * diff;
        diff = valueB - slot3;
        distB3 += diff * diff;
      }
      distances[s] = distA0;
      distances[s + 1] = distA1;
      distances[s + 2] = distA2;
      distances[s + 3] = distA3;
      distances[slots + s] = distB0;
      distances[slots + s + 1] = distB1;
      distances[slots + s + 2] = distB2;
      distances[slots + s + 3] = distB3;
    }
    for (; s < slots; s++) {
      const offset = s * d;
      let distA = 0;
      let distB = 0;
      for (let j = 0; j < d; j++) {
        const slot = seedRows[offset + j]!;
        const diffA = data[offsetA + j]! - slot;
        const diffB = data[offsetB + j]! - slot;
        distA += diffA * diffA;
        distB += diffB * diffB;
      }
      distances[s] = distA;
      distances[slots + s] = distB;
    }

    let current = closest[i]!;
    if (distances[0]! < current) {
      current = distances[0]!;
      closest[i] = current;
    }
    for (let t = 0; t < trials; t++) {
      const dist = distances[1 + t]!;
      sums[t]! += dist < current ? dist : current;
    }
    if (iB !== i) {
      current = closest[iB]!;
      if (distances[slots]! < current) {
        current = distances[slots]!;
        closest[iB] = current;
      }
      for (let t = 0; t < trials; t++) {
        const dist = distances[slots + 1 + t]!;
        sums[t]! += dist < current ? dist : current;
      }
    }
  }
}

/** Σ over chunks, in chunk order, of column `column` of seedPotentials: the potential of that candidate. */
function sumPotentials(workspace: KMeansWorkspace, column: number): number {
  const { seedPotentials, chunkCount, trials } = workspace;
  let total = 0;
  for (let chunk = 0; chunk < chunkCount; chunk++) total += seedPotentials[chunk * trials + column]!;
  return total;
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
 * numpy's searchsorted(cumsum(D(x)²), targets, side='left') clipped to n − 1, on the chunked running
 * sum (see the deviations above): for each target, the first row whose running sum reaches it. The clip
 * guards rounding: a draw close to the potential may exceed the last running sum.
 *
 * Chunk totals come from column `column` of seedPotentials; only the chunks that hold a target are
 * read. When `isPickPending`, D(x)² is lowered on the fly to the distance to seedRows row 0 (the pick
 * just made, which the next `seed-candidates` pass stores), exactly as that pass will compute it, so
 * the running sum over a whole chunk equals the chunk's total.
 */
function searchCumulative(
  workspace: KMeansWorkspace,
  column: number,
  isPickPending: boolean,
  targets: Float64Array,
  order: Int32Array,
  outCandidates: Int32Array,
): void {
  const { n, d, data, closest, seedRows, seedPotentials, trials, chunkCount } = workspace;
  let next = 0;
  let prefix = 0;
  for (let chunk = 0; chunk < chunkCount && next < trials; chunk++) {
    const afterChunk = prefix + seedPotentials[chunk * trials + column]!;
    if (afterChunk >= targets[order[next]!]!) {
      const end = chunkEnd(workspace, chunk);
      let local = 0;
      for (let i = chunkStart(chunk); i < end && next < trials; i++) {
        let value = closest[i]!;
        if (isPickPending) {
          const dist = squaredDistance(data, i * d, seedRows, 0, d);
          if (dist < value) value = dist;
        }
        local += value;
        const runningSum = prefix + local;
        while (next < trials && runningSum >= targets[order[next]!]!) {
          outCandidates[order[next]!] = i;
          next++;
        }
      }
    }
    prefix = afterChunk;
  }
  for (; next < trials; next++) outCandidates[order[next]!] = n - 1;
}

function copyRow(data: Float64Array, row: number, d: number, out: Float64Array, outRow: number): void {
  for (let j = 0; j < d; j++) out[outRow * d + j] = data[row * d + j]!;
}
