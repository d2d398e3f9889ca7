/**
 * Per-persona product rankings, computed at training from the dataset's purchases: a product's
 * purchase rate within the persona (the share of members who bought it: the rule's confidence)
 * over its rate among all customers is its lift. Ranked by lift, then by support. Also the reason
 * sentence served with each recommendation.
 */
import type { NewRecommendation } from '../domain/persona.ts';

/** Products bought by fewer members than this are too anecdotal to store. */
const MIN_STORED_SUPPORT = 2;
/**
 * Stored per persona: the top products by lift and the top by persona rate (confidence), so both
 * rankings can be served from the stored rows (on large catalogues the top by lift are niche
 * products and the persona's most bought ones fall far below them). GET …/recommendations pages through them.
 */
export const MAX_STORED_PER_RANKING = 200;

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
 * Each persona's stored products (support ≥ 2): the top 200 by lift and the top 200 by persona
 * rate, ranked by lift (ties: more support), so rank 1…200 is the lift ranking.
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
      // One division of exact integers, so equal lifts are equal doubles and ties go to support.
      const lift = (personaSupport * n) / (sizes[persona]! * buyers);
      ranked.push({ productId, support: personaSupport, personaRate, overallRate, lift, buyers });
    }
    const byConfidence = [...ranked].sort((a, b) => b.personaRate - a.personaRate || b.buyers - a.buyers || (a.productId < b.productId ? -1 : 1));
    const topByConfidence = new Set(byConfidence.slice(0, MAX_STORED_PER_RANKING).map((entry) => entry.productId));
    ranked.sort((a, b) => b.lift - a.lift || b.support - a.support || (a.productId < b.productId ? -1 : 1));
    return ranked.filter((entry, i) => i < MAX_STORED_PER_RANKING || topByConfidence.has(entry.productId)).map((entry, i) => ({ ...entry, rank: i + 1 }));
  });
}

/**
 * A share as people read it: whole percents, one decimal where a whole percent would mislead
 * (below 1%, where most products of a large catalogue sit, and just under 100%).
 */
export function formatShare(rate: number): string {
  const percent = rate * 100;
  if (percent > 0 && percent < 0.05) return '<0.1%';
  if (percent > 0 && percent < 1) return `${percent.toFixed(1)}%`;
  // Rounded down, so that not everyone never reads as 100%.
  if (percent >= 99.5 && percent < 100) return `${(Math.floor(percent * 10) / 10).toFixed(1)}%`;
  return `${Math.round(percent)}%`;
}

/** Why a product is recommended, e.g. "bought by 34% of New Families vs 9% overall". */
export function recommendationReason(personaName: string, figures: { personaRate: number; overallRate: number }): string {
  return `bought by ${formatShare(figures.personaRate)} of ${personaName} vs ${formatShare(figures.overallRate)} overall`;
}
