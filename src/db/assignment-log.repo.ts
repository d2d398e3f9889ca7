import type { AssignmentLogRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';

const historySelect = {
  assignedAt: true,
  distance: true,
  confidence: true,
  unclassified: true,
  model: { select: { id: true, name: true, version: true } },
  persona: { select: { id: true, key: true, name: true } },
} as const;

export function createAssignmentLogRepository(db: Database): AssignmentLogRepository {
  return {
    async insertMany(entries) {
      if (entries.length === 0) return 0;
      // One statement with seven array parameters whatever the batch size (createMany would bind
      // seven per row). The join skips entries of a model version deleted while they waited, which
      // would otherwise fail the whole batch on the foreign key; ORDER BY keeps the ids in record order.
      return db.$executeRaw`
        INSERT INTO assignment_log (model_id, persona_id, external_id, distance, confidence, unclassified, assigned_at)
        SELECT e.model_id, e.persona_id, e.external_id, e.distance, e.confidence, e.unclassified, e.assigned_at
        FROM unnest(
          ${entries.map((entry) => entry.modelId)}::uuid[],
          ${entries.map((entry) => entry.personaId)}::uuid[],
          ${entries.map((entry) => entry.externalId)}::text[],
          ${entries.map((entry) => entry.distance)}::float8[],
          ${entries.map((entry) => entry.confidence)}::float8[],
          ${entries.map((entry) => entry.unclassified)}::boolean[],
          ${entries.map((entry) => entry.assignedAt.toISOString())}::timestamptz[]
        ) WITH ORDINALITY AS e(model_id, persona_id, external_id, distance, confidence, unclassified, assigned_at, position)
        JOIN persona ON persona.id = e.persona_id AND persona.model_id = e.model_id
        ORDER BY e.position`;
    },

    async historyOf(externalId, { modelName, limit, offset }) {
      // Served by the (external_id, assigned_at) index; id breaks ties within a millisecond.
      const where = { externalId, ...(modelName === undefined ? {} : { model: { name: modelName } }) };
      const [items, total] = await Promise.all([
        db.assignmentLog.findMany({ where, select: historySelect, orderBy: [{ assignedAt: 'desc' }, { id: 'desc' }], take: limit, skip: offset }),
        db.assignmentLog.count({ where }),
      ]);
      return { items, total };
    },
  };
}
