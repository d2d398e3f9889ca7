import type { DriftRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';

export function createDriftRepository(db: Database): DriftRepository {
  return {
    async addCounts(rows) {
      if (rows.length === 0) return;
      // One statement per flush; replicas flushing the same hour add up instead of overwriting.
      await db.$executeRaw`
        INSERT INTO drift_count (model_id, hour, feature, bin, count)
        SELECT r.model_id, r.hour, r.feature, r.bin, r.count
        FROM unnest(
          ${rows.map((row) => row.modelId)}::uuid[],
          ${rows.map((row) => row.hour.toISOString())}::timestamptz[],
          ${rows.map((row) => row.feature)}::text[],
          ${rows.map((row) => row.bin)}::int[],
          ${rows.map((row) => row.count)}::bigint[]
        ) AS r(model_id, hour, feature, bin, count)
        JOIN segmentation_model ON segmentation_model.id = r.model_id
        ON CONFLICT (model_id, hour, feature, bin) DO UPDATE SET count = drift_count.count + EXCLUDED.count`;
    },

    async sumCounts(modelId, from, to) {
      const rows = await db.$queryRaw<Array<{ feature: string; bin: number; count: bigint }>>`
        SELECT feature, bin, SUM(count)::bigint AS count FROM drift_count
        WHERE model_id = ${modelId}::uuid AND hour >= ${from} AND hour < ${to}
        GROUP BY feature, bin`;
      return rows.map((row) => ({ feature: row.feature, bin: row.bin, count: Number(row.count) }));
    },

    async claimAlert(modelId, day) {
      const claimed = await db.$executeRaw`
        INSERT INTO drift_alert (model_id, day) SELECT id, ${day}::date FROM segmentation_model WHERE id = ${modelId}::uuid
        ON CONFLICT DO NOTHING`;
      return claimed === 1;
    },
  };
}
