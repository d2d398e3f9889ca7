/**
 * The k-prototypes dissimilarity (Huang 1997): squared Euclidean distance on the numeric part plus
 * gamma × the number of categorical mismatches,
 *   d(x, c) = Σ_j (x_j − c_j)² + γ · #{ l : x_l ≠ c_l }.
 * With no numeric columns and γ = 1 it is k-modes' simple matching dissimilarity (Huang 1998).
 *
 * The numeric sum follows numpy's pairwise order (`np.sum((c − x) ** 2, axis=1)` in kmodes'
 * `euclidean_dissim`): sequential below 8 columns, eight interleaved partial sums from 8 to 128
 * columns, halves beyond. The order changes the last bits only, but a tie broken differently by one
 * ulp would move a row, so matching it lets the engine reproduce kmodes' labels exactly.
 *
 * Notation: n rows, p numeric columns, q categorical columns, k prototypes.
 * Complexity: O(k · (p + q)) per row.
 */

/** Σ (a[ao + j] − b[bo + j])² over count columns, in numpy's pairwise summation order. */
export function squaredDistanceNumpyOrder(a: Float64Array, ao: number, b: Float64Array, bo: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let j = 0; j < count; j++) {
      const diff = a[ao + j]! - b[bo + j]!;
      sum += diff * diff;
    }
    return sum;
  }
  if (count <= 128) {
    let d = a[ao]! - b[bo]!;
    let r0 = d * d;
    d = a[ao + 1]! - b[bo + 1]!;
    let r1 = d * d;
    d = a[ao + 2]! - b[bo + 2]!;
    let r2 = d * d;
    d = a[ao + 3]! - b[bo + 3]!;
    let r3 = d * d;
    d = a[ao + 4]! - b[bo + 4]!;
    let r4 = d * d;
    d = a[ao + 5]! - b[bo + 5]!;
    let r5 = d * d;
    d = a[ao + 6]! - b[bo + 6]!;
    let r6 = d * d;
    d = a[ao + 7]! - b[bo + 7]!;
    let r7 = d * d;
    const blocked = count - (count % 8);
    let j = 8;
    for (; j < blocked; j += 8) {
      const oa = ao + j;
      const ob = bo + j;
      d = a[oa]! - b[ob]!;
      r0 += d * d;
      d = a[oa + 1]! - b[ob + 1]!;
      r1 += d * d;
      d = a[oa + 2]! - b[ob + 2]!;
      r2 += d * d;
      d = a[oa + 3]! - b[ob + 3]!;
      r3 += d * d;
      d = a[oa + 4]! - b[ob + 4]!;
      r4 += d * d;
      d = a[oa + 5]! - b[ob + 5]!;
      r5 += d * d;
      d = a[oa + 6]! - b[ob + 6]!;
      r6 += d * d;
      d = a[oa + 7]! - b[ob + 7]!;
      r7 += d * d;
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; j < count; j++) {
      d = a[ao + j]! - b[bo + j]!;
      sum += d * d;
    }
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return (
    squaredDistanceNumpyOrder(a, ao, b, bo, half) + squaredDistanceNumpyOrder(a, ao + half, b, bo + half, count - half)
  );
}

/**
 * OUT out[c] = d(row i, prototype c) for from ≤ c < to: squared numeric distance in numpy's order plus
 * gamma × mismatches. The one place this arithmetic lives (inlined by hand: V8 does not inline a
 * per-pair function of this size, which would cost half the pass), so every caller gets the same double
 * for the same pair.
 *
 * @param num - numeric rows, n × p; numOffset = i · p.
 * @param cat - categorical rows, n × q; catOffset = i · q.
 * @param centroids - k × p numeric prototypes; modes - k × q categorical prototypes.
 * @param out - OUT, length ≥ to.
 */
export function distancesToPrototypes(
  num: Float64Array,
  numOffset: number,
  cat: Int32Array,
  catOffset: number,
  centroids: Float64Array,
  modes: Int32Array,
  p: number,
  q: number,
  from: number,
  to: number,
  gamma: number,
  out: Float64Array,
): void {
  for (let c = from, co = from * p, mo = from * q; c < to; c++, co += p, mo += q) {
    let sum: number;
    if (p < 8) {
      sum = 0;
      for (let j = 0; j < p; j++) {
        const diff = centroids[co + j]! - num[numOffset + j]!;
        sum += diff * diff;
      }
    } else if (p <= 128) {
      // squaredDistanceNumpyOrder's 8-accumulator branch, inlined.
      let d = centroids[co]! - num[numOffset]!;
      let r0 = d * d;
      d = centroids[co + 1]! - num[numOffset + 1]!;
      let r1 = d * d;
      d = centroids[co + 2]! - num[numOffset + 2]!;
      let r2 = d * d;
      d = centroids[co + 3]! - num[numOffset + 3]!;
      let r3 = d * d;
      d = centroids[co + 4]! - num[numOffset + 4]!;
      let r4 = d * d;
      d = centroids[co + 5]! - num[numOffset + 5]!;
      let r5 = d * d;
      d = centroids[co + 6]! - num[numOffset + 6]!;
      let r6 = d * d;
      d = centroids[co + 7]! - num[numOffset + 7]!;
      let r7 = d * d;
      const blocked = p - (p % 8);
      let j = 8;
      for (; j < blocked; j += 8) {
        const oc = co + j;
        const ox = numOffset + j;
        d = centroids[oc]! - num[ox]!;
        r0 += d * d;
        d = centroids[oc + 1]! - num[ox + 1]!;
        r1 += d * d;
        d = centroids[oc + 2]! - num[ox + 2]!;
        r2 += d * d;
        d = centroids[oc + 3]! - num[ox + 3]!;
        r3 += d * d;
        d = centroids[oc + 4]! - num[ox + 4]!;
        r4 += d * d;
        d = centroids[oc + 5]! - num[ox + 5]!;
        r5 += d * d;
        d = centroids[oc + 6]! - num[ox + 6]!;
        r6 += d * d;
        d = centroids[oc + 7]! - num[ox + 7]!;
        r7 += d * d;
      }
      sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
      for (; j < p; j++) {
        d = centroids[co + j]! - num[numOffset + j]!;
        sum += d * d;
      }
    } else {
      sum = squaredDistanceNumpyOrder(centroids, co, num, numOffset, p);
    }
    let mismatches = 0;
    for (let j = 0; j < q; j++) {
      if (modes[mo + j] !== cat[catOffset + j]) mismatches++;
    }
    out[c] = sum + gamma * mismatches;
  }
}

/**
 * Index of the nearest prototype to row i, ties to the lowest index (np.argmin); OUT distances[c] for
 * every prototype.
 */
export function nearestPrototype(
  num: Float64Array,
  numOffset: number,
  cat: Int32Array,
  catOffset: number,
  centroids: Float64Array,
  modes: Int32Array,
  p: number,
  q: number,
  k: number,
  gamma: number,
  distances: Float64Array,
): number {
  distancesToPrototypes(num, numOffset, cat, catOffset, centroids, modes, p, q, 0, k, gamma, distances);
  let best = 0;
  for (let c = 1; c < k; c++) if (distances[c]! < distances[best]!) best = c;
  return best;
}
