/**
 * Per-persona product rankings, computed at training from the dataset's purchases: a product's
 * purchase rate within the persona (the share of members who bought it: the rule's confidence)
 * over its rate among all customers is its lift. Ranked by lift, then by support.
 */
import type { NewRecommendation } from '../domain/persona.ts';

/** Products bought by fewer members than this are too anecdotal to store. */
const MIN_STORED_SUPPORT = 2;
/** Stored rankings per persona; GET …/recommendations pages through them. */
const MAX_STORED_PER_PERSONA = 200;

export interface Purchases {
  customerIds: Float64Array;
  productIds: readonly bigint[];
}

/** Position of `id` in the ascending `ids`, or −1 (binary search: no map of a million entries). */
function indexOf(ids: Float64Array, id: number): number {
  let low = 0;
  let high = ids.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = ids[middle]!;
    if (value === id) return middle;
    if (value < id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * @param customerIds customers in training order, ascending; `labels[i]` is the persona of `customerIds[i]`
 * @param purchases distinct (customer, product) pairs
 */
export function rankProductsByLift(customerIds: Float64Array, labels: Int32Array, k: number, purchases: Purchases): NewRecommendation[][] {
  const sizes = new Float64Array(k);
  for (const label of labels) sizes[label]!++;
  const supportByProduct = new Map<bigint, Int32Array>();
  for (let p = 0; p < purchases.productIds.length; p++) {
    const customer = indexOf(customerIds, purchases.customerIds[p]!);
    if (customer < 0) continue;
    const productId = purchases.productIds[p]!;
    let support = supportByProduct.get(productId);
    if (!support) supportByProduct.set(productId, (support = new Int32Array(k)));
    support[labels[customer]!]!++;
  }
  const n = customerIds.length;
  return Array.from({ length: k }, (_, persona) => {
    const ranked: Omit<NewRecommendation, 'rank'>[] = [];
    for (const [productId, support] of supportByProduct) {
      const personaSupport = support[persona]!;
      if (personaSupport < MIN_STORED_SUPPORT) continue;
      let buyers = 0;
      for (const count of support) buyers += count;
      const personaRate = personaSupport / sizes[persona]!;
      const overallRate = buyers / n;
      ranked.push({ productId, support: personaSupport, personaRate, overallRate, lift: personaRate / overallRate, buyers });
    }
    ranked.sort((a, b) => b.lift - a.lift || b.support - a.support || (a.productId < b.productId ? -1 : 1));
    return ranked.slice(0, MAX_STORED_PER_PERSONA).map((entry, i) => ({ ...entry, rank: i + 1 }));
  });
}
