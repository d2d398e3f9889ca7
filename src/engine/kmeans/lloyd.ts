/**
 * One run of Lloyd's algorithm (Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory
 * 28(2), 1982), the batch k-means iteration.
 *
 * Minimises the inertia Σᵢ ‖xᵢ − c_{label(i)}‖² by alternating an assignment step (each row to its
 * nearest centre) and an update step (each centre to the mean of its rows); neither step can raise
 * the inertia, so it decreases monotonically to a local minimum.
 *
 * Notation: n rows, d columns, k clusters; x is n × d row-major; every centre buffer is k × d
 * row-major and stored *centred*, i.e. minus the column means of x (`shift`).
 * Complexity: O(n · k · d) per iteration, O(k · d) extra memory per chunk besides the n labels and distances.
 *
 * Variant: scikit-learn's `_kmeans_single_lloyd` / `lloyd_iter_chunked_dense` (1.2):
 * - the assignment takes the argmin of ‖c‖² − 2 x·c, since ‖x‖² is constant per row; ties go to the
 *   lowest cluster index;
 * - distance work happens on data centred by the column means, for accuracy of that expansion
 *   (scikit-learn centres a copy of X; we subtract the mean row by row into a d-vector instead, so x is
 *   neither copied nor mutated);
 * - rows are processed in the chunks of workspace.ts (the `lloyd` phase); each chunk sums its rows in
 *   order and the driver adds the chunks' sums in chunk order, so the result does not depend on how
 *   many threads ran the chunks;
 * - stopping rule: after iteration i (assign, then recompute means) stop if the labels equal those of
 *   iteration i − 1 (strict convergence) or if Σ_c ‖c_new − c_old‖² ≤ tol; after a tolerance stop or
 *   when maxIterations runs out, assign once more so the labels match the final centres;
 * - empty clusters are moved to the rows farthest from their centres (`_relocate_empty_clusters_dense`);
 * - the inertia is computed directly as Σ (x − c)², never from the expansion above.
 *
 * Deviations from scikit-learn:
 * - ties among the farthest rows during relocation go to the lower row index (numpy's argpartition
 *   leaves their order unspecified);
 * - a cluster that stays empty (relocation is pointless when every row sits on its centre) keeps its
 *   previous centre; scikit-learn leaves it at the zero vector of the centred space, i.e. the data mean.
 */
import { CONTROL, chunkEnd, chunkStart } from './workspace.ts';
import type { KMeansPhase, KMeansScratch, KMeansWorkspace } from './workspace.ts';

/** Progress of one Lloyd iteration, as reported to `onIteration`. */
export interface LloydIteration {
  /** 0-based index of the restart (n_init run) this iteration belongs to. */
  readonly run: number;
  /** 1-based iteration number within the run. */
  readonly iteration: number;
  /**
   * Inertia of this iteration's assignment, measured against the centres it assigned to. With
   * Hamerly's bounds it is computed only because a listener asked (the bounds otherwise skip most
   * distances).
   */
  readonly inertia: number;
  /** Σ_c ‖c_new − c_old‖² of this iteration's update. */
  readonly centerShiftSq: number;
  /** Rows whose label differs from the previous iteration (all n on the first iteration). */
  readonly changedLabels: number;
}

/**
 * The driver's own buffers for one fit (never shared with other threads), allocated once and reused
 * by every run and iteration.
 */
export interface IterationBuffers {
  /** k × d: this iteration's cluster sums (high parts, then rounded), then the new centres. */
  readonly sums: Float64Array;
  /** k × d: low parts of those sums while they are double-double. */
  readonly sumsLow: Float64Array;
  /** k: rows (sample weight) per cluster, as doubles like scikit-learn's weight_in_clusters. */
  readonly weights: Float64Array;
  /** k × d (high and low parts) and k: Hamerly's running cluster sums and weights, updated by the changed rows only. */
  readonly runningSums: Float64Array;
  readonly runningSumsLow: Float64Array;
  readonly runningWeights: Float64Array;
  /** k: indices of the clusters left empty by an assignment. */
  readonly emptyClusters: Int32Array;
  /** k: rows chosen for empty clusters, farthest first. */
  readonly farRows: Int32Array;
  /** k: their distances. */
  readonly farDistances: Float64Array;
}

export function createIterationBuffers(d: number, k: number): IterationBuffers {
  return {
    sums: new Float64Array(k * d),
    sumsLow: new Float64Array(k * d),
    weights: new Float64Array(k),
    runningSums: new Float64Array(k * d),
    runningSumsLow: new Float64Array(k * d),
    runningWeights: new Float64Array(k),
    emptyClusters: new Int32Array(k),
    farRows: new Int32Array(k),
    farDistances: new Float64Array(k),
  };
}

/** Outcome of one run; the final centres, labels and distances are left in the workspace. */
export interface RunOutcome {
  readonly inertia: number;
  readonly iterations: number;
  readonly hasConverged: boolean;
  readonly isStrictlyConverged: boolean;
}

/**
 * Offsets in a chunk's slot of `partials` (see workspace.ts): cluster sums as double-double numbers,
 * high parts (k × d) then low parts (k × d), then weights (k), inertia, changed labels.
 */
export function weightsOffset(workspace: KMeansWorkspace): number {
  return 2 * workspace.k * workspace.d;
}

export function inertiaOffset(workspace: KMeansWorkspace): number {
  return 2 * workspace.k * workspace.d + workspace.k;
}

export function changedOffset(workspace: KMeansWorkspace): number {
  return 2 * workspace.k * workspace.d + workspace.k + 1;
}

/**
 * IN/OUT the double-double number (out[hi], out[lo]) += value, by Knuth's TwoSum: the rounding error
 * of the high part goes to the low part. Cluster sums are kept this way (Dekker 1971) so that they are
 * exact to about 2⁻¹⁰⁰ relative, and rounding them once gives the same double whatever the order of
 * the additions: Hamerly's incremental sums then equal Lloyd's recomputed ones, bit for bit, also on
 * data full of duplicates where a residue of one unit in the last place would break a tie differently.
 */
export function addDoubleDouble(out: Float64Array, hi: number, lo: number, value: number): void {
  const high = out[hi]!;
  const sum = high + value;
  const virtual = sum - high;
  out[lo]! += high - (sum - virtual) + (value - virtual);
  out[hi] = sum;
}

/**
 * Runs Lloyd iterations from `workspace.centers` until the stopping rule holds or maxIterations: a
 * serial driver that yields the phases to run over all chunks (`lloyd`, then `measure`). Assumes
 * validated input. Leaves the final centres, labels and distances in the workspace.
 *
 * @param toleranceAbs - absolute threshold on Σ_c ‖c_new − c_old‖² (already scaled by the data's variance).
 */
export function* runLloydSteps(
  workspace: KMeansWorkspace,
  buffers: IterationBuffers,
  maxIterations: number,
  toleranceAbs: number,
  run: number,
  onIteration: ((progress: LloydIteration) => void) | undefined,
): Generator<KMeansPhase, RunOutcome, void> {
  const { n, d, k, data, shift, centers, centerNorms, labels, distances, control } = workspace;
  const { sums, sumsLow, weights } = buffers;
  // -1 is no cluster, so the first iteration counts every row as changed, as scikit-learn's labels_old.
  labels.fill(-1);
  control[CONTROL.accumulate] = 1;

  let iterations = 0;
  let hasConverged = false;
  let isStrictlyConverged = false;
  while (iterations < maxIterations) {
    computeCenterNorms(centers, k, d, centerNorms);
    yield 'lloyd';
    sums.fill(0);
    sumsLow.fill(0);
    weights.fill(0);
    addClusterPartials(workspace, sums, sumsLow, weights);
    roundDoubleDouble(sums, sumsLow);
    const inertia = sumPartials(workspace, inertiaOffset(workspace));
    const changedLabels = sumPartials(workspace, changedOffset(workspace));
    relocateEmptyClusters(data, n, d, k, shift, labels, distances, sums, weights, buffers);
    averageCenters(sums, weights, centers, k, d);
    const centerShiftSq = squaredCenterShift(centers, sums);
    // Copied (k × d values) rather than swapped, so the workspace's buffers, which other threads may
    // hold views of, keep their identity.
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
    // Re-run the E-step so the returned labels match the returned centres (scikit-learn does the same).
    // After a strict stop the labels are already final; only their distances to the new centres change.
    computeCenterNorms(centers, k, d, centerNorms);
    control[CONTROL.accumulate] = 0;
    yield 'lloyd';
  }
  yield 'measure';
  const inertia = sumPartials(workspace, inertiaOffset(workspace));
  return { inertia, iterations, hasConverged, isStrictlyConverged };
}

/**
 * IN/OUT the double-double sums (high parts `sums`, low parts `sumsLow`, k × d each) and weights (k)
 * += every chunk's partial sums and weights, in chunk order.
 */
export function addClusterPartials(
  workspace: KMeansWorkspace,
  sums: Float64Array,
  sumsLow: Float64Array,
  weights: Float64Array,
): void {
  const { chunkCount, partials, partialStride, k, d } = workspace;
  const kd = k * d;
  for (let chunk = 0, base = 0; chunk < chunkCount; chunk++, base += partialStride) {
    for (let j = 0; j < kd; j++) {
      // Double-double addition (TwoSum of the high parts, then a renormalising Fast2Sum).
      const high = sums[j]!;
      const partHigh = partials[base + j]!;
      const sum = high + partHigh;
      const virtual = sum - high;
      const error = high - (sum - virtual) + (partHigh - virtual) + sumsLow[j]! + partials[base + kd + j]!;
      const renormalised = sum + error;
      sums[j] = renormalised;
      sumsLow[j] = error - (renormalised - sum);
    }
    for (let c = 0; c < k; c++) weights[c]! += partials[base + 2 * kd + c]!;
  }
}

/** OUT sums[j] ← the double nearest sums[j] + sumsLow[j] (the rounded double-double). */
export function roundDoubleDouble(sums: Float64Array, sumsLow: Float64Array): void {
  for (let j = 0; j < sums.length; j++) sums[j]! += sumsLow[j]!;
}

/** Σ over chunks, in chunk order, of the value at `offset` in each chunk's slot of `partials`. */
export function sumPartials(workspace: KMeansWorkspace, offset: number): number {
  const { chunkCount, partials, partialStride } = workspace;
  let total = 0;
  for (let chunk = 0, base = offset; chunk < chunkCount; chunk++, base += partialStride) total += partials[base]!;
  return total;
}

/**
 * Phase `lloyd` on one chunk: OUT labels of its rows (labelRowRange) and the count of changed labels;
 * when CONTROL.accumulate is set, also OUT its rows' distances and the chunk's cluster sums, weights and
 * inertia in its slot of `partials`.
 */
export function lloydChunk(workspace: KMeansWorkspace, chunk: number, scratch: KMeansScratch): void {
  const { data, d, k, shift, centers, centerNorms, labels, distances, partials, partialStride, control } = workspace;
  const start = chunkStart(chunk);
  const end = chunkEnd(workspace, chunk);
  const base = chunk * partialStride;
  const inertiaAt = base + 2 * k * d + k;
  const changed = labelRowRange(data, start, end, d, k, shift, centers, centerNorms, scratch.row, labels);
  if (control[CONTROL.accumulate] === 1) {
    // Summed in this thread's scratch and stored once, so threads on neighbouring chunks never write
    // to one cache line row by row.
    const sums = scratch.changes;
    sums.fill(0);
    partials[inertiaAt] = accumulateClusters(data, start, end, d, k, shift, centers, labels, distances, sums, 0);
    partials.set(sums, base);
  }
  partials[inertiaAt + 1] = changed;
}

/**
 * Phase `measure` on one chunk: OUT distances[i] = ‖xᵢ − c_{label(i)}‖², computed directly, and the
 * chunk's inertia in its slot of `partials`.
 */
export function measureChunk(workspace: KMeansWorkspace, chunk: number): void {
  const { data, d, k, shift, centers, labels, distances, partials, partialStride } = workspace;
  const start = chunkStart(chunk);
  partials[chunk * partialStride + 2 * k * d + k] = measureAssignedRange(
    data,
    start,
    chunkEnd(workspace, chunk),
    d,
    shift,
    centers,
    labels,
    distances,
  );
}

/** OUT centerNorms[c] = ‖c‖². */
export function computeCenterNorms(centers: Float64Array, k: number, d: number, outNorms: Float64Array): void {
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let j = c * d, end = j + d; j < end; j++) sum += centers[j]! * centers[j]!;
    outNorms[c] = sum;
  }
}

/** labelRowRange over all n rows (prediction and tests). */
export function labelRows(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  shift: Float64Array,
  centers: Float64Array,
  centerNorms: Float64Array,
  rowScratch: Float64Array,
  labels: Int32Array,
): number {
  return labelRowRange(data, 0, n, d, k, shift, centers, centerNorms, rowScratch, labels);
}

/**
 * E-step on rows [start, end): OUT labels[i] = argmin_c ‖c‖² − 2 (xᵢ − shift)·c, since ‖x‖² is constant
 * per row; ties go to the lowest index, as scikit-learn's strict `<` scan. Returns how many labels
 * changed. `centers` must be stored minus `shift`, and centerNorms computed from them; rowScratch has
 * length 2d.
 *
 * Blocking: two rows against four centres at a time, so each loaded coordinate feeds several dot
 * products and no function is called per row (about twice as fast in V8 as the plain double loop,
 * measured on 1,000,000 × 12, k = 8). Every dot product still sums its coordinates in order, so the
 * scores, and hence the labels, equal the plain loop's bit for bit.
 *
 * Complexity: O((end − start) · k · d), no allocation.
 */
export function labelRowRange(
  data: Float64Array,
  start: number,
  end: number,
  d: number,
  k: number,
  shift: Float64Array,
  centers: Float64Array,
  centerNorms: Float64Array,
  rowScratch: Float64Array,
  labels: Int32Array,
): number {
  let changedLabels = 0;
  for (let i = start; i < end; i += 2) {
    // The second row of the pair; the last row of an odd range is paired with itself.
    const iB = i + 1 < end ? i + 1 : i;
    const offsetA = i * d;
    const offsetB = iB * d;
    for (let j = 0; j < d; j++) {
      rowScratch[j] = data[offsetA + j]! - shift[j]!;
      rowScratch[d + j] = data[offsetB + j]! - shift[j]!;
    }
    let bestA = 0;
    let bestScoreA = Number.POSITIVE_INFINITY;
    let bestB = 0;
    let bestScoreB = Number.POSITIVE_INFINITY;
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
        const valueA = rowScratch[j]!;
        const valueB = rowScratch[d + j]!;
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
      const norm0 = centerNorms[c]!;
      const norm1 = centerNorms[c + 1]!;
      const norm2 = centerNorms[c + 2]!;
      const norm3 = centerNorms[c + 3]!;
      let score = norm0 - 2 * dotA0;
      if (score < bestScoreA) {
        bestScoreA = score;
        bestA = c;
      }
      score = norm1 - 2 * dotA1;
      if (score < bestScoreA) {
        bestScoreA = score;
        bestA = c + 1;
      }
      score = norm2 - 2 * dotA2;
      if (score < bestScoreA) {
        bestScoreA = score;
        bestA = c + 2;
      }
      score = norm3 - 2 * dotA3;
      if (score < bestScoreA) {
        bestScoreA = score;
        bestA = c + 3;
      }
      score = norm0 - 2 * dotB0;
      if (score < bestScoreB) {
        bestScoreB = score;
        bestB = c;
      }
      score = norm1 - 2 * dotB1;
      if (score < bestScoreB) {
        bestScoreB = score;
        bestB = c + 1;
      }
      score = norm2 - 2 * dotB2;
      if (score < bestScoreB) {
        bestScoreB = score;
        bestB = c + 2;
      }
      score = norm3 - 2 * dotB3;
      if (score < bestScoreB) {
        bestScoreB = score;
        bestB = c + 3;
      }
    }
    for (; c < k; c++) {
      const offset = c * d;
      let dotA = 0;
      let dotB = 0;
      for (let j = 0; j < d; j++) {
        const center = centers[offset + j]!;
        dotA += rowScratch[j]! * center;
        dotB += rowScratch[d + j]! * center;
      }
      const norm = centerNorms[c]!;
      let score = norm - 2 * dotA;
      if (score < bestScoreA) {
        bestScoreA = score;
        bestA = c;
      }
      score = norm - 2 * dotB;
      if (score < bestScoreB) {
        bestScoreB = score;
        bestB = c;
      }
    }
    if (labels[i] !== bestA) {
      changedLabels++;
      labels[i] = bestA;
    }
    if (iB !== i && labels[iB] !== bestB) {
      changedLabels++;
      labels[iB] = bestB;
    }
  }
  return changedLabels;
}

/**
 * The sums of the M-step over rows [start, end), plus each row's exact squared distance to its assigned
 * centre (for the inertia and for empty-cluster relocation). OUT distances; OUT double-double sums
 * (k × d high parts, then k × d low parts, of xᵢ − shift) and weights (k) from `base` of `out`, which
 * the caller zeroes first. Returns the inertia of the labelling against `centers`.
 */
function accumulateClusters(
  data: Float64Array,
  start: number,
  end: number,
  d: number,
  k: number,
  shift: Float64Array,
  centers: Float64Array,
  labels: Int32Array,
  outDistances: Float64Array,
  out: Float64Array,
  base: number,
): number {
  const kd = k * d;
  const weightsBase = base + 2 * kd;
  let inertia = 0;
  for (let i = start, rowOffset = start * d; i < end; i++, rowOffset += d) {
    const label = labels[i]!;
    const offset = label * d;
    const sumOffset = base + offset;
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const value = data[rowOffset + j]! - shift[j]!;
      const diff = value - centers[offset + j]!;
      dist += diff * diff;
      addDoubleDouble(out, sumOffset + j, sumOffset + kd + j, value);
    }
    out[weightsBase + label]!++;
    outDistances[i] = dist;
    inertia += dist;
  }
  return inertia;
}

/** OUT distances[i] = ‖xᵢ − c_{label(i)}‖², computed directly; returns their sum (the inertia of a fixed labelling). */
export function measureAssigned(
  data: Float64Array,
  n: number,
  d: number,
  shift: Float64Array,
  centers: Float64Array,
  labels: Int32Array,
  outDistances: Float64Array,
): number {
  return measureAssignedRange(data, 0, n, d, shift, centers, labels, outDistances);
}

/** measureAssigned on rows [start, end). */
export function measureAssignedRange(
  data: Float64Array,
  start: number,
  end: number,
  d: number,
  shift: Float64Array,
  centers: Float64Array,
  labels: Int32Array,
  outDistances: Float64Array,
): number {
  let inertia = 0;
  for (let i = start; i < end; i++) {
    const rowOffset = i * d;
    const offset = labels[i]! * d;
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const diff = data[rowOffset + j]! - shift[j]! - centers[offset + j]!;
      dist += diff * diff;
    }
    outDistances[i] = dist;
    inertia += dist;
  }
  return inertia;
}

/**
 * scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the rows farthest
 * from their (old) centres, farthest first, and that row's contribution moves from its cluster's sums
 * to the empty one. Labels are left alone, as in scikit-learn: the next assignment settles them.
 * Does nothing when no cluster is empty or when every row sits on its centre (duplicates: moving
 * would not separate anything).
 */
export function relocateEmptyClusters(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  shift: Float64Array,
  labels: Int32Array,
  distances: Float64Array,
  sums: Float64Array,
  weights: Float64Array,
  scratch: Pick<IterationBuffers, 'emptyClusters' | 'farRows' | 'farDistances'>,
): void {
  const { emptyClusters, farRows, farDistances } = scratch;
  // Listed before any move: a move may empty the cluster it takes a row from, and that cluster
  // must wait for the next assignment, as in scikit-learn.
  let emptyCount = 0;
  for (let c = 0; c < k; c++) if (weights[c] === 0) emptyClusters[emptyCount++] = c;
  if (emptyCount === 0) return;

  selectFarthest(distances, n, emptyCount, farRows, farDistances);
  if (farDistances[0] === 0) return;

  for (let e = 0; e < emptyCount; e++) {
    const c = emptyClusters[e]!;
    const far = farRows[e]!;
    const from = labels[far]!;
    const rowOffset = far * d;
    for (let j = 0; j < d; j++) {
      const value = data[rowOffset + j]! - shift[j]!;
      sums[from * d + j]! -= value;
      sums[c * d + j] = value;
    }
    weights[c] = 1;
    weights[from]!--;
  }
}

/**
 * OUT the `count` largest distances and their rows, largest first; ties keep the lower row first.
 * Insertion into a short sorted list: O(n · count) worst case with count ≤ k, no allocation.
 */
function selectFarthest(
  distances: Float64Array,
  n: number,
  count: number,
  outRows: Int32Array,
  outDistances: Float64Array,
): void {
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const dist = distances[i]!;
    if (filled === count && dist <= outDistances[count - 1]!) continue;
    let p = filled < count ? filled++ : count - 1;
    while (p > 0 && outDistances[p - 1]! < dist) {
      outDistances[p] = outDistances[p - 1]!;
      outRows[p] = outRows[p - 1]!;
      p--;
    }
    outDistances[p] = dist;
    outRows[p] = i;
  }
}

/**
 * M-step: OUT sums[c] ← sums[c] / weight[c]. Multiplies by the reciprocal, as scikit-learn's
 * `_average_centers`, so the centres match its rounding. A cluster that is still empty keeps its
 * previous centre (see the deviations above).
 */
export function averageCenters(sums: Float64Array, weights: Float64Array, previous: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    const weight = weights[c]!;
    const offset = c * d;
    if (weight > 0) {
      const alpha = 1 / weight;
      for (let j = offset; j < offset + d; j++) sums[j]! *= alpha;
    } else {
      for (let j = offset; j < offset + d; j++) sums[j] = previous[j]!;
    }
  }
}

export function squaredCenterShift(previous: Float64Array, next: Float64Array): number {
  let total = 0;
  for (let j = 0; j < previous.length; j++) {
    const diff = next[j]! - previous[j]!;
    total += diff * diff;
  }
  return total;
}
