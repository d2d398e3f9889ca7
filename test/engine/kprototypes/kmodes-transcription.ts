// A line-by-line transcription of kmodes 0.12.2's k-prototypes loop (`_k_prototypes_single` with given
// initial prototypes, `_k_prototypes_iter`, `_move_point_num`, `kmodes._move_point_cat`, `labels_cost`,
// `get_max_value_key`) on plain arrays and Maps, written for clarity rather than speed. It is the oracle of
// the property tests: the engine's typed-array kernels must give the same numbers bit for bit.
//
// Python details kept: frequency tables are `defaultdict`s, so reading a missing key inserts it with 0 and
// the mode search runs over every key ever touched; numeric sums follow numpy's pairwise order.

export interface TranscriptionInput {
  readonly numeric: readonly (readonly number[])[];
  readonly categorical: readonly (readonly number[])[];
  readonly initialNumeric: readonly (readonly number[])[];
  readonly initialModes: readonly (readonly number[])[];
  readonly gamma: number;
  readonly maxIterations: number;
  /** `random_state.choice(choices)` for the empty-cluster refill: an index in [0, size). */
  readonly choose: (size: number) => number;
  /**
   * The engine's one deviation: after a refill, recompute both clusters' numeric prototypes (kmodes leaves
   * them until their next move). Default true.
   */
  readonly refillUpdatesNumeric?: boolean;
}

export interface TranscriptionResult {
  readonly labels: number[];
  readonly numericCentroids: number[][];
  readonly modes: number[][];
  readonly cost: number;
  readonly iterations: number;
  readonly epochCosts: number[];
  /** True when the initial assignment left a cluster empty (kmodes would re-initialise). */
  readonly hasEmptyInitialCluster: boolean;
}

export function transcribeKPrototypes(input: TranscriptionInput): TranscriptionResult {
  const { numeric: xnum, categorical: xcat, gamma, maxIterations, choose } = input;
  const refillUpdatesNumeric = input.refillUpdatesNumeric ?? true;
  const k = input.initialNumeric.length;
  const n = xnum.length;
  const p = xnum[0]?.length ?? 0;
  const q = xcat[0]?.length ?? 0;
  const centroidsNum = input.initialNumeric.map((row) => [...row]);
  const centroidsCat = input.initialModes.map((row) => [...row]);

  const membship: boolean[][] = Array.from({ length: k }, () => new Array<boolean>(n).fill(false));
  const clAttrSum = Array.from({ length: k }, () => new Array<number>(p).fill(0));
  const clMembSum = new Array<number>(k).fill(0);
  const clAttrFreq: Map<number, number>[][] = Array.from({ length: k }, () => Array.from({ length: q }, () => new Map<number, number>()));

  const dissims = (i: number): number[] =>
    centroidsNum.map((centroid, c) => {
      const terms = centroid.map((value, j) => (value - xnum[i]![j]!) ** 2);
      let mismatches = 0;
      for (let j = 0; j < q; j++) if (centroidsCat[c]![j] !== xcat[i]![j]) mismatches++;
      return numpySum(terms) + gamma * mismatches;
    });
  const argmin = (values: number[]): number => values.reduce((best, v, c) => (v < values[best]! ? c : best), 0);

  for (let i = 0; i < n; i++) {
    const clust = argmin(dissims(i));
    membship[clust]![i] = true;
    clMembSum[clust]! += 1;
    for (let j = 0; j < p; j++) clAttrSum[clust]![j]! += xnum[i]![j]! * 1;
    for (let j = 0; j < q; j++) increment(clAttrFreq[clust]![j]!, xcat[i]![j]!, 1);
  }
  const hasEmptyInitialCluster = clMembSum.some((count) => count === 0);
  if (hasEmptyInitialCluster) {
    return { labels: [], numericCentroids: [], modes: [], cost: Number.NaN, iterations: 0, epochCosts: [], hasEmptyInitialCluster };
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < p; j++) centroidsNum[c]![j] = clAttrSum[c]![j]! / clMembSum[c]!;
    for (let j = 0; j < q; j++) centroidsCat[c]![j] = getMaxValueKey(clAttrFreq[c]![j]!);
  }

  const labelsCost = (): { labels: number[]; cost: number } => {
    const labels: number[] = [];
    let cost = 0;
    for (let i = 0; i < n; i++) {
      const d = dissims(i);
      const clust = argmin(d);
      labels.push(clust);
      cost += d[clust]!;
    }
    return { labels, cost };
  };

  const movePointNum = (i: number, to: number, from: number): void => {
    for (let j = 0; j < p; j++) {
      clAttrSum[to]![j]! += xnum[i]![j]! * 1;
      clAttrSum[from]![j]! -= xnum[i]![j]! * 1;
    }
    clMembSum[to]! += 1;
    clMembSum[from]! -= 1;
  };
  const movePointCat = (i: number, to: number, from: number): void => {
    membship[to]![i] = true;
    membship[from]![i] = false;
    for (let j = 0; j < q; j++) {
      const value = xcat[i]![j]!;
      const toCounts = clAttrFreq[to]![j]!;
      const fromCounts = clAttrFreq[from]![j]!;
      increment(toCounts, value, 1);
      const valueFreq = read(toCounts, value);
      const centroidFreq = read(toCounts, centroidsCat[to]![j]!);
      if (centroidFreq < valueFreq) centroidsCat[to]![j] = value;
      increment(fromCounts, value, -1);
      if (centroidsCat[from]![j] === value) centroidsCat[from]![j] = getMaxValueKey(fromCounts);
    }
  };

  let { labels, cost } = labelsCost();
  const epochCosts = [cost];
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    let moves = 0;
    for (let i = 0; i < n; i++) {
      const clust = argmin(dissims(i));
      if (membship[clust]![i]) continue;
      moves++;
      const oldClust = membship.findIndex((row) => row[i]);
      movePointNum(i, clust, oldClust);
      movePointCat(i, clust, oldClust);
      for (let j = 0; j < p; j++) {
        for (const c of [clust, oldClust]) {
          centroidsNum[c]![j] = clMembSum[c] ? clAttrSum[c]![j]! / clMembSum[c]! : 0;
        }
      }
      if (!clMembSum[oldClust]) {
        const sizes = membship.map((row) => row.filter(Boolean).length);
        const fromClust = argmax(sizes);
        const choices = membship[fromClust]!.flatMap((isMember, row) => (isMember ? [row] : []));
        const rindx = choices[choose(choices.length)]!;
        movePointNum(rindx, oldClust, fromClust);
        movePointCat(rindx, oldClust, fromClust);
        if (refillUpdatesNumeric) {
          for (const c of [oldClust, fromClust]) {
            for (let j = 0; j < p; j++) centroidsNum[c]![j] = clAttrSum[c]![j]! / clMembSum[c]!;
          }
        }
      }
    }
    const next = labelsCost();
    converged = moves === 0 || next.cost >= cost;
    epochCosts.push(next.cost);
    labels = next.labels;
    cost = next.cost;
  }
  return { labels, numericCentroids: centroidsNum, modes: centroidsCat, cost, iterations, epochCosts, hasEmptyInitialCluster };
}

/** `defaultdict.__getitem__`: a missing key is inserted with 0. */
function read(counts: Map<number, number>, key: number): number {
  if (!counts.has(key)) counts.set(key, 0);
  return counts.get(key)!;
}

function increment(counts: Map<number, number>, key: number, by: number): void {
  counts.set(key, read(counts, key) + by);
}

/** kmodes' `get_max_value_key`: the key of the maximum count; among several maxima the smallest key. */
function getMaxValueKey(counts: Map<number, number>): number {
  const max = Math.max(...counts.values());
  const maxima = [...counts.entries()].filter(([, count]) => count === max).map(([key]) => key);
  return Math.min(...maxima);
}

function argmax(values: number[]): number {
  return values.reduce((best, v, c) => (v > values[best]! ? c : best), 0);
}

/** `np.sum` of a contiguous float vector: 0 + numpy's pairwise sum. */
function numpySum(values: number[]): number {
  return 0 + pairwise(values, 0, values.length);
}

function pairwise(a: number[], offset: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += a[offset + i]!;
    return sum;
  }
  if (count <= 128) {
    const r = a.slice(offset, offset + 8);
    let i = 8;
    for (; i < count - (count % 8); i += 8) for (let t = 0; t < 8; t++) r[t]! += a[offset + i + t]!;
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < count; i++) sum += a[offset + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwise(a, offset, half) + pairwise(a, offset + half, count - half);
}
