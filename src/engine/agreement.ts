/**
 * Agreement between two partitions of the same rows.
 *
 * Adjusted Rand index (Hubert & Arabie, "Comparing partitions", J. Classification 2, 1985): the Rand
 * index (share of row pairs on which the partitions agree: together in both or apart in both)
 * corrected for chance, so 1 means identical partitions up to renaming the clusters, and random
 * labellings score about 0 (it can be negative).
 *
 * Computed as scikit-learn 1.2's adjusted_rand_score, from the pair confusion matrix of the
 * contingency table: ARI = 2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)), and 1 when
 * fn = fp = 0 (including n ≤ 1 and the case of one cluster in both).
 * Complexity: O(n) time, O(number of label pairs) memory.
 *
 * Numerical care: the pair counts are exact integers in doubles below 2^53 (n up to ~9·10^7);
 * their products reach n⁴, so they are formed in BigInt, as scikit-learn converts to Python ints
 * for the same reason.
 */
import { EngineInputError } from './errors.ts';

/**
 * Adjusted Rand index between two labellings of the same n rows.
 *
 * @param a - n labels (any integers; only equality matters).
 * @param b - n labels, same rows in the same order.
 * @returns ARI in [−1, 1]; 1 for identical partitions up to relabelling.
 * @throws EngineInputError `shape_mismatch` when the lengths differ.
 */
export function adjustedRandIndex(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) {
    throw new EngineInputError('shape_mismatch', `labellings have ${a.length} and ${b.length} entries; they must match`);
  }
  const n = a.length;
  const codesA = new Int32Array(n);
  const codesB = new Int32Array(n);
  const clustersA = encodeLabels(a, codesA);
  const clustersB = encodeLabels(b, codesB);

  const sizesA = new Float64Array(clustersA);
  const sizesB = new Float64Array(clustersB);
  for (let i = 0; i < n; i++) {
    sizesA[codesA[i]!]!++;
    sizesB[codesB[i]!]!++;
  }
  // Σ over contingency cells of n_ij², with the table kept sparse (a Map of the cells that occur).
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const cell = codesA[i]! * clustersB + codesB[i]!;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
  }
  let sumCellSquares = 0;
  for (const count of cells.values()) sumCellSquares += count * count;
  let sumSquaresA = 0;
  for (let c = 0; c < clustersA; c++) sumSquaresA += sizesA[c]! * sizesA[c]!;
  let sumSquaresB = 0;
  for (let c = 0; c < clustersB; c++) sumSquaresB += sizesB[c]! * sizesB[c]!;

  // Ordered pair counts of scikit-learn's pair_confusion_matrix.
  const together = sumCellSquares - n; // tp
  const splitByB = sumSquaresA - sumCellSquares; // fp: together in a, apart in b
  const splitByA = sumSquaresB - sumCellSquares; // fn: together in b, apart in a
  const apart = n * n - splitByB - splitByA - sumCellSquares; // tn
  if (splitByA === 0 && splitByB === 0) return 1;

  const tp = BigInt(together);
  const tn = BigInt(apart);
  const fp = BigInt(splitByB);
  const fn = BigInt(splitByA);
  const numerator = 2n * (tp * tn - fn * fp);
  const denominator = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return Number(numerator) / Number(denominator);
}

/** OUT codes: labels renamed 0, 1, … in order of first appearance; returns the number of distinct labels. */
function encodeLabels(labels: Int32Array, outCodes: Int32Array): number {
  const codeOf = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    let code = codeOf.get(label);
    if (code === undefined) {
      code = codeOf.size;
      codeOf.set(label, code);
    }
    outCodes[i] = code;
  }
  return codeOf.size;
}
