import { describe, expect, it } from 'vitest';
import type { Recommendation } from '../../src/domain/persona.ts';
import type { RecommendationRepository } from '../../src/domain/repositories.ts';
import { RANKING_CACHE_SIZE, RecommendationService } from '../../src/services/customer-recommendations.ts';

/** Stored rankings (lift order) of every persona: A (lift 3, 40%), B (lift 2, 80%), C (lift 1.5, 3 buyers). */
function storedRanking(): Recommendation[] {
  const product = (id: string) => ({ id, name: `Product ${id}`, category: null, price: null });
  return [
    { rank: 1, product: product('A'), support: 8, buyers: 8, personaRate: 0.4, overallRate: 0.4 / 3, lift: 3 },
    { rank: 2, product: product('B'), support: 16, buyers: 24, personaRate: 0.8, overallRate: 0.4, lift: 2 },
    { rank: 3, product: product('C'), support: 3, buyers: 6, personaRate: 0.15, overallRate: 0.1, lift: 1.5 },
  ];
}

/** An in-memory repository that counts its reads; `failures` first reads reject. */
function countingRepository(failures = 0) {
  const reads: string[] = [];
  let remainingFailures = failures;
  const repository: RecommendationRepository = {
    async listForPersona(personaId) {
      reads.push(personaId);
      if (remainingFailures-- > 0) throw new Error('database unavailable');
      return storedRanking();
    },
    async findHoldings() {
      return { isCustomerKnown: false, heldProductIds: [], unknownProductIds: [] };
    },
  };
  return { repository, reads };
}

const notAssigning = {
  assign: async (): Promise<never> => {
    throw new Error('topForPersona does not assign');
  },
};

describe('RecommendationService.topForPersona', () => {
  it("returns the persona's top products by confidence, with ranks from 1 and reasons naming the persona", async () => {
    const service = new RecommendationService(notAssigning, countingRepository().repository);
    const items = await service.topForPersona({ id: 'p1', name: 'New Families' }, 2, { minSupport: 1 });
    expect(items.map((item) => [item.rank, item.product.id, item.reason])).toEqual([
      [1, 'B', 'bought by 80% of New Families vs 40% overall'],
      [2, 'A', 'bought by 40% of New Families vs 13% overall'],
    ]);
  });

  it('ranks by lift on request and leaves out products below the minimum support (default 5)', async () => {
    const service = new RecommendationService(notAssigning, countingRepository().repository);
    expect((await service.topForPersona({ id: 'p1', name: 'X' }, 5, { rankBy: 'lift' })).map((item) => item.product.id)).toEqual(['A', 'B']);
    expect((await service.topForPersona({ id: 'p1', name: 'X' }, 5, { rankBy: 'lift', minSupport: 3 })).map((item) => item.product.id)).toEqual(['A', 'B', 'C']);
  });

  it("reads a persona's ranking once and serves later calls from memory", async () => {
    const { repository, reads } = countingRepository();
    const service = new RecommendationService(notAssigning, repository);
    await service.topForPersona({ id: 'p1', name: 'X' }, 3);
    await service.topForPersona({ id: 'p1', name: 'X' }, 1, { rankBy: 'lift' });
    await Promise.all([service.topForPersona({ id: 'p2', name: 'Y' }, 3), service.topForPersona({ id: 'p2', name: 'Y' }, 3)]);
    expect(reads).toEqual(['p1', 'p2']);
  });

  it(`keeps the ${RANKING_CACHE_SIZE} most recently used personas and reads an evicted one again`, async () => {
    const { repository, reads } = countingRepository();
    const service = new RecommendationService(notAssigning, repository);
    const use = (i: number) => service.topForPersona({ id: `p${i}`, name: 'X' }, 1);
    for (let i = 0; i < RANKING_CACHE_SIZE; i++) await use(i);
    await use(0); // p0 becomes the most recently used, so p1 is the next to go
    await use(RANKING_CACHE_SIZE);
    await use(0);
    await use(1);
    expect(reads.filter((id) => id === 'p0')).toHaveLength(1);
    expect(reads.filter((id) => id === 'p1')).toHaveLength(2);
  });

  it('does not keep a failed read', async () => {
    const { repository, reads } = countingRepository(1);
    const service = new RecommendationService(notAssigning, repository);
    await expect(service.topForPersona({ id: 'p1', name: 'X' }, 1)).rejects.toThrow('database unavailable');
    expect(await service.topForPersona({ id: 'p1', name: 'X' }, 1)).toHaveLength(1);
    expect(reads).toEqual(['p1', 'p1']);
  });
});
