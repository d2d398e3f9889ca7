/**
 * Initial prototypes for k-modes and k-prototypes, as the `kmodes` package 0.12.2 draws them
 * (`kmodes/util/init_methods.py` and `_k_prototypes_single`).
 *
 * Minimises nothing by itself: it picks k starting modes (and numeric centres) for the online update.
 * - Huang (1998, section 3.3, first method): for every column, draw k values with the column's
 *   frequencies; then replace each drawn mode, in order, by the nearest row (simple matching) that is
 *   not already one of the current modes. kmodes takes the nearest rows in the order of
 *   `np.argsort`, numpy's introsort, which is not stable: among rows at the same distance it does not
 *   pick the lowest index. `argsortNumpy` reproduces that order (numpy 1.24's `aquicksort`), so given
 *   the same draws the modes equal kmodes' bit for bit.
 * - Cao, Liang & Bai (2009), "A new initialization method for categorical data clustering", Expert
 *   Systems with Applications 36: the densest row first (density = mean relative frequency of its
 *   values), then repeatedly the row maximising min over chosen modes of (mismatches × density).
 *   Deterministic. The running minimum makes it O(n · q · k) instead of kmodes' O(n · q · k²), with the
 *   same values since min is exact.
 * - random: k rows drawn uniformly with replacement (`random_state.choice(n, k)`).
 * - numeric part of k-prototypes (any named method): column mean + standard normal × column
 *   population std, drawn k × p row-major (`meanx + randn(k, p) * stdx`).
 *
 * Notation: n rows, q categorical columns with cardinalities m_j, p numeric columns, k clusters.
 * Complexity: Huang O(k · (n · q + n log n)); Cao O(n · q · k); random O(k · q); numeric O(k · p).
 *
 * Randomness comes from a `RandomSource`: the engine passes its seeded `Random`; since the draws have
 * the same shape as numpy's (`randint(0, n)` per value, one normal deviate per numeric entry), a source
 * with numpy's legacy RandomState stream reproduces kmodes' initial modes exactly, which the tests do.
 * With the engine's xoshiro generator the same seed does not give kmodes' picks.
 */

/** The draws the initialisations make; `Random` from random.ts provides them. */
export interface RandomSource {
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  /** Standard normal deviate. */
  nextGaussian(): number;
}

/**
 * Huang's initial modes (kmodes `init_huang`). OUT outModes, k × q.
 *
 * @param codes - n × q row-major codes in [0, m_j).
 * @param random - k · q draws of nextInt(n), column by column, as numpy's `choice(sorted(column), k)`.
 */
export function initHuangModes(
  codes: Int32Array,
  n: number,
  q: number,
  cardinalities: Int32Array,
  k: number,
  random: RandomSource,
  outModes: Int32Array,
): void {
  let maxCardinality = 0;
  for (let j = 0; j < q; j++) maxCardinality = Math.max(maxCardinality, cardinalities[j]!);
  const cumulative = new Int32Array(maxCardinality + 1);
  for (let j = 0; j < q; j++) {
    const m = cardinalities[j]!;
    cumulative.fill(0);
    for (let i = 0; i < n; i++) cumulative[codes[i * q + j]! + 1]!++;
    for (let v = 0; v < m; v++) cumulative[v + 1]! += cumulative[v]!;
    // kmodes draws an index into the sorted column: the value at sorted position t is the code whose
    // cumulative count range [cum[v], cum[v + 1]) contains t.
    for (let c = 0; c < k; c++) {
      const position = random.nextInt(n);
      let v = 0;
      while (cumulative[v + 1]! <= position) v++;
      outModes[c * q + j] = v;
    }
  }

  const distances = new Int32Array(n);
  const order = new Int32Array(n);
  for (let c = 0; c < k; c++) {
    const modeOffset = c * q;
    for (let i = 0; i < n; i++) {
      let mismatches = 0;
      for (let j = 0; j < q; j++) if (codes[i * q + j] !== outModes[modeOffset + j]) mismatches++;
      distances[i] = mismatches;
    }
    argsortNumpy(distances, order);
    // The nearest row that is not one of the current modes (drawn or already replaced), if any.
    let position = 0;
    while (position < n - 1 && equalsAnyMode(codes, order[position]! * q, outModes, k, q)) position++;
    const row = order[position]! * q;
    for (let j = 0; j < q; j++) outModes[modeOffset + j] = codes[row + j]!;
  }
}

function equalsAnyMode(codes: Int32Array, rowOffset: number, modes: Int32Array, k: number, q: number): boolean {
  for (let c = 0; c < k; c++) {
    let j = 0;
    while (j < q && codes[rowOffset + j] === modes[c * q + j]) j++;
    if (j === q) return true;
  }
  return false;
}

/**
 * Cao's initial modes (kmodes `init_cao`), deterministic. OUT outModes, k × q.
 * Densities are accumulated as kmodes does, dens[i] += (freq / n) / q column by column, and argmax
 * takes the first maximum, so ties resolve as in kmodes.
 */
export function initCaoModes(
  codes: Int32Array,
  n: number,
  q: number,
  cardinalities: Int32Array,
  k: number,
  outModes: Int32Array,
): void {
  let maxCardinality = 0;
  for (let j = 0; j < q; j++) maxCardinality = Math.max(maxCardinality, cardinalities[j]!);
  const frequencies = new Int32Array(maxCardinality);
  const density = new Float64Array(n);
  for (let j = 0; j < q; j++) {
    frequencies.fill(0);
    for (let i = 0; i < n; i++) frequencies[codes[i * q + j]!]!++;
    for (let i = 0; i < n; i++) density[i]! += frequencies[codes[i * q + j]!]! / n / q;
  }
  let first = 0;
  for (let i = 1; i < n; i++) if (density[i]! > density[first]!) first = i;
  copyRow(codes, first * q, outModes, 0, q);

  // minScore[i] = min over chosen modes of mismatches(i, mode) × density[i].
  const minScore = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let c = 1; c < k; c++) {
    const previous = (c - 1) * q;
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      let mismatches = 0;
      for (let j = 0; j < q; j++) if (codes[i * q + j] !== outModes[previous + j]) mismatches++;
      const score = Math.min(minScore[i]!, mismatches * density[i]!);
      minScore[i] = score;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    copyRow(codes, best * q, outModes, c * q, q);
  }
}

/** k rows drawn uniformly with replacement (kmodes' 'random' init). OUT outModes, k × q. */
export function initRandomModes(codes: Int32Array, n: number, q: number, k: number, random: RandomSource, outModes: Int32Array): void {
  for (let c = 0; c < k; c++) copyRow(codes, random.nextInt(n) * q, outModes, c * q, q);
}

/**
 * Numeric starting centres of k-prototypes' named inits: means[j] + N(0, 1) · stds[j], drawn k × p
 * row-major. OUT outCentroids, k × p.
 */
export function drawNumericPrototypes(
  means: Float64Array,
  stds: Float64Array,
  p: number,
  k: number,
  random: RandomSource,
  outCentroids: Float64Array,
): void {
  for (let c = 0, offset = 0; c < k; c++, offset += p) {
    for (let j = 0; j < p; j++) outCentroids[offset + j] = means[j]! + random.nextGaussian() * stds[j]!;
  }
}

function copyRow(source: Int32Array, sourceOffset: number, target: Int32Array, targetOffset: number, q: number): void {
  for (let j = 0; j < q; j++) target[targetOffset + j] = source[sourceOffset + j]!;
}

/** Partitions above this size are split; smaller ones are insertion-sorted (numpy's SMALL_QUICKSORT). */
const SMALL_QUICKSORT = 15;

/**
 * OUT order: the permutation numpy 1.24's `np.argsort(values)` (kind 'quicksort', i.e. introsort:
 * median-of-3 quicksort, insertion sort below 16 elements, heapsort past depth 2·⌊log2 n⌋) returns
 * for an int array. Not stable; reproduced for its tie order, which decides kmodes' Huang picks.
 */
export function argsortNumpy(values: Int32Array, order: Int32Array): void {
  const num = values.length;
  for (let i = 0; i < num; i++) order[i] = i;
  if (num < 2) return;
  const stack: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let depthLimit = 2 * mostSignificantBit(num);
  for (;;) {
    if (depthLimit < 0) {
      heapsortIndices(values, order, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (values[order[pm]!]! < values[order[pl]!]!) swap(order, pm, pl);
        if (values[order[pr]!]! < values[order[pm]!]!) swap(order, pr, pm);
        if (values[order[pm]!]! < values[order[pl]!]!) swap(order, pm, pl);
        const pivot = values[order[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(order, pm, pj);
        for (;;) {
          do pi++;
          while (values[order[pi]!]! < pivot);
          do pj--;
          while (pivot < values[order[pj]!]!);
          if (pi >= pj) break;
          swap(order, pi, pj);
        }
        swap(order, pi, pr - 1);
        depthLimit--;
        // Push the larger partition, continue with the smaller one.
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr, depthLimit);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1, depthLimit);
          pl = pi + 1;
        }
      }
      for (let pi = pl + 1; pi <= pr; pi++) {
        const vi = order[pi]!;
        const vp = values[vi]!;
        let pj = pi;
        while (pj > pl && vp < values[order[pj - 1]!]!) {
          order[pj] = order[pj - 1]!;
          pj--;
        }
        order[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    depthLimit = stack.pop()!;
    pr = stack.pop()!;
    pl = stack.pop()!;
  }
}

/** numpy's `aheapsort` on order[start … start + count). */
function heapsortIndices(values: Int32Array, order: Int32Array, start: number, count: number): void {
  // 1-based heap indexing as in numpy: a[i] is order[start + i − 1].
  const base = start - 1;
  let n = count;
  for (let l = n >> 1; l > 0; l--) {
    const tmp = order[base + l]!;
    let i = l;
    let j = l << 1;
    while (j <= n) {
      if (j < n && values[order[base + j]!]! < values[order[base + j + 1]!]!) j++;
      if (values[tmp]! < values[order[base + j]!]!) {
        order[base + i] = order[base + j]!;
        i = j;
        j += j;
      } else {
        break;
      }
    }
    order[base + i] = tmp;
  }
  while (n > 1) {
    const tmp = order[base + n]!;
    order[base + n] = order[base + 1]!;
    n--;
    let i = 1;
    let j = 2;
    while (j <= n) {
      if (j < n && values[order[base + j]!]! < values[order[base + j + 1]!]!) j++;
      if (values[tmp]! < values[order[base + j]!]!) {
        order[base + i] = order[base + j]!;
        i = j;
        j += j;
      } else {
        break;
      }
    }
    order[base + i] = tmp;
  }
}

function mostSignificantBit(n: number): number {
  let depth = 0;
  while (n > 1) {
    n >>>= 1;
    depth++;
  }
  return depth;
}

function swap(order: Int32Array, a: number, b: number): void {
  const tmp = order[a]!;
  order[a] = order[b]!;
  order[b] = tmp;
}
