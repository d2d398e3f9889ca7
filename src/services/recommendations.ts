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
  customerExternalIds: readonly string[];
  productIds: readonly bigint[];
}

/**
 * @param externalIds customers in training order; `labels[i]` is the persona of `externalIds[i]`
 * @param purchases distinct (customer, product) pairs
 */
export function rankProductsByLift(
  externalIds: readonly string[],
  labels: Int32Array,
  k: number,
  purchases: Purchases,
): NewRecommendation[][] {
  const customerIndex = new Map(externalIds.map((id, i) => [id, i]));
  const sizes = new Float64Array(k);
  for (const label of labels) sizes[label]!++;
  const supportByProduct = new Map<bigint, Int32Array>();
  for (let p = 0; p < purchases.productIds.length; p++) {
    const customer = customerIndex.get(purchases.customerExternalIds[p]!);
    if (customer === undefined) continue;
    const productId = purchases.productIds[p]!;
    let support = supportByProduct.get(productId);
    if (!support) supportByProduct.set(productId, (support = new Int32Array(k)));
    support[labels[customer]!]!++;
  }
  const n = externalIds.length;
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
