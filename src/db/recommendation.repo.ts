import type { RecommendationRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import { recommendationSelect, toRecommendation } from './persona.repo.ts';

export function createRecommendationRepository(db: Database): RecommendationRepository {
  return {
    async listForPersona(personaId: string) {
      const rows = await db.personaRecommendation.findMany({
        where: { personaId },
        // Served by the (persona_id, rank) index; at most a few hundred rows per persona are stored.
        orderBy: { rank: 'asc' },
        select: recommendationSelect,
      });
      return rows.map(toRecommendation);
    },

    async findHoldings(modelId: string, customerExternalId: string | null, productExternalIds: readonly string[]) {
      // One round trip: the customer (unique on dataset and external id), the distinct products of its
      // interactions (by the customer_id index), and the asked product ids the dataset lacks.
      const rows = await db.$queryRaw<Array<{ kind: 'customer' | 'held' | 'unknown'; external_id: string | null }>>`
        WITH target AS (SELECT dataset_id FROM segmentation_model WHERE id = ${modelId}::uuid),
        buyer AS (
          SELECT c.id FROM customer c JOIN target ON c.dataset_id = target.dataset_id
          WHERE c.external_id = ${customerExternalId}::text
        )
        SELECT 'customer' AS kind, NULL::text AS external_id FROM buyer
        UNION ALL
        SELECT DISTINCT 'held', p.external_id FROM interaction i JOIN buyer b ON i.customer_id = b.id JOIN product p ON p.id = i.product_id
        UNION ALL
        SELECT 'unknown', t.external_id FROM unnest(${[...productExternalIds]}::text[]) AS t(external_id)
        WHERE NOT EXISTS (SELECT 1 FROM product p JOIN target ON p.dataset_id = target.dataset_id WHERE p.external_id = t.external_id)`;
      return {
        isCustomerKnown: rows.some((row) => row.kind === 'customer'),
        heldProductIds: rows.filter((row) => row.kind === 'held').map((row) => row.external_id!),
        unknownProductIds: rows.filter((row) => row.kind === 'unknown').map((row) => row.external_id!),
      };
    },
  };
}
