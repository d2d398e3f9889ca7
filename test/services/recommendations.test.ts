import { describe, expect, it } from 'vitest';
import { formatShare, MAX_STORED_PER_RANKING, rankProductsByLift, recommendationReason } from '../../src/services/recommendations.ts';

describe('rankProductsByLift', () => {
  it('stores per persona the products bought by at least two members, by lift, with their figures', () => {
    // Customers 1, 2 in persona 0 and 3, 4 in persona 1 (customer 9 was not trained on).
    // Distinct purchases: product 10 by customers 1, 2, 3; 20 by 1, 2; 30 by 3 and 9.
    const purchases = { customerIds: Float64Array.from([1, 2, 3, 1, 2, 3, 9]), productIds: [10n, 10n, 10n, 20n, 20n, 30n, 30n] };
    const [first, second] = rankProductsByLift(Float64Array.from([1, 2, 3, 4]), Int32Array.from([0, 0, 1, 1]), 2, purchases);
    expect(first).toEqual([
      { productId: 20n, rank: 1, support: 2, buyers: 2, personaRate: 1, overallRate: 0.5, lift: 2 },
      { productId: 10n, rank: 2, support: 2, buyers: 3, personaRate: 1, overallRate: 0.75, lift: 4 / 3 },
    ]);
    // Persona 1 has one buyer of each product: too anecdotal to store.
    expect(second).toEqual([]);
  });

  it("also stores the persona's most bought products when more niche products outrank them by lift", () => {
    // 20 customers, 10 per persona; 250 niche products bought by two members of persona 0 only (lift 2)
    // and one product bought by everyone (lift 1, but the persona's most bought).
    const customerIds = Float64Array.from({ length: 20 }, (_, i) => i + 1);
    const labels = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    const buyers: number[] = [];
    const products: bigint[] = [];
    for (let product = 1; product <= 250; product++) {
      buyers.push(1, 2);
      products.push(BigInt(product), BigInt(product));
    }
    for (const customer of customerIds) {
      buyers.push(customer);
      products.push(999n);
    }
    const [persona] = rankProductsByLift(customerIds, labels, 2, { customerIds: Float64Array.from(buyers), productIds: products });
    expect(persona).toHaveLength(MAX_STORED_PER_RANKING + 1);
    expect(persona!.slice(0, 3).map((entry) => entry.productId)).toEqual([1n, 2n, 3n]);
    expect(persona!.at(-1)).toMatchObject({ productId: 999n, rank: MAX_STORED_PER_RANKING + 1, personaRate: 1, lift: 1 });
  });
});

describe('formatShare', () => {
  it('writes whole percents, one decimal below 1% and just under 100%, and <0.1% for less', () => {
    expect([0.34, 0.0941, 0.005, 0.0004, 0, 1, 0.9962, 0.994].map(formatShare)).toEqual(['34%', '9%', '0.5%', '<0.1%', '0%', '100%', '99.6%', '99%']);
    expect(formatShare(0.99999)).toBe('99.9%');
  });
});

describe('recommendationReason', () => {
  it("compares the persona's purchase rate with everyone's, naming the persona", () => {
    expect(recommendationReason('New Families', { personaRate: 0.34, overallRate: 0.09 })).toBe('bought by 34% of New Families vs 9% overall');
    expect(recommendationReason('Champions', { personaRate: 0.021, overallRate: 0.004 })).toBe('bought by 2% of Champions vs 0.4% overall');
  });
});
