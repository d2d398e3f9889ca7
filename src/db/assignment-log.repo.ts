import type { AssignmentLogEntry, PersonaChange } from '../domain/assignment-log.ts';
import type { AssignmentLogRepository, PersonaChangeLog } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import { Prisma } from './generated/client.ts';

const historySelect = {
  assignedAt: true,
  distance: true,
  confidence: true,
  unclassified: true,
  model: { select: { id: true, name: true, version: true } },
  persona: { select: { id: true, key: true, name: true } },
} as const;

interface PersonaChangeRow {
  externalId: string;
  modelId: string;
  modelName: string;
  modelVersion: number;
  toKey: string;
  toName: string;
  fromVersion: number;
  fromKey: string;
  fromName: string;
  assignedAt: string;
}

/** The entries as rows `e`, in record order (`position`): seven array parameters whatever the batch size. */
function entryRows(entries: readonly AssignmentLogEntry[]): Prisma.Sql {
  return Prisma.sql`unnest(
    ${entries.map((entry) => entry.modelId)}::uuid[],
    ${entries.map((entry) => entry.personaId)}::uuid[],
    ${entries.map((entry) => entry.externalId)}::text[],
    ${entries.map((entry) => entry.distance)}::float8[],
    ${entries.map((entry) => entry.confidence)}::float8[],
    ${entries.map((entry) => entry.unclassified)}::boolean[],
    ${entries.map((entry) => entry.assignedAt.toISOString())}::timestamptz[]
  ) WITH ORDINALITY AS e(model_id, persona_id, external_id, distance, confidence, unclassified, assigned_at, position)`;
}

export function createAssignmentLogRepository(db: Database): AssignmentLogRepository & PersonaChangeLog {
  return {
    async insertManyReportingPersonaChanges(entries: readonly AssignmentLogEntry[]) {
      if (entries.length === 0) return { written: 0, changes: [] };
      // One statement, still in the background writer: the INSERT of insertMany plus, for entries with
      // an external id, the same customer's previous entry by the same model name: an earlier entry of
      // this batch (lag over the batch) or else the newest logged one (the (external_id, assigned_at)
      // index, read backwards; the INSERT's own rows are not visible to this statement). The EXISTS
      // is evaluated once per statement: without a subscriber to customer.persona_changed no lookup runs.
      const [result] = await db.$queryRaw<Array<{ written: number; changes: PersonaChangeRow[] }>>`
        WITH e AS (
          SELECT e.model_id, e.persona_id, e.external_id, e.distance, e.confidence, e.unclassified, e.assigned_at, e.position,
            persona.key AS persona_key, persona.name AS persona_name, m.name AS model_name, m.version AS model_version
          FROM ${entryRows(entries)}
          JOIN persona ON persona.id = e.persona_id AND persona.model_id = e.model_id
          JOIN segmentation_model m ON m.id = e.model_id
        ),
        inserted AS (
          INSERT INTO assignment_log (model_id, persona_id, external_id, distance, confidence, unclassified, assigned_at)
          SELECT model_id, persona_id, external_id, distance, confidence, unclassified, assigned_at FROM e ORDER BY position
          RETURNING 1
        ),
        watched AS (
          SELECT e.*,
            lag(persona_key) OVER customer AS batch_key, lag(persona_name) OVER customer AS batch_name, lag(model_version) OVER customer AS batch_version
          FROM e
          WHERE e.external_id IS NOT NULL
            AND EXISTS (SELECT 1 FROM webhook_subscription s WHERE s.active AND 'customer.persona_changed' = ANY (s.event_types))
          WINDOW customer AS (PARTITION BY e.external_id, e.model_name ORDER BY e.assigned_at, e.position)
        ),
        changes AS (
          SELECT w.position, w.external_id AS "externalId", w.model_id AS "modelId", w.model_name AS "modelName", w.model_version AS "modelVersion",
            w.persona_key AS "toKey", w.persona_name AS "toName",
            coalesce(w.batch_version, logged.version) AS "fromVersion", coalesce(w.batch_key, logged.key) AS "fromKey", coalesce(w.batch_name, logged.name) AS "fromName",
            w.assigned_at AS "assignedAt"
          FROM watched w
          LEFT JOIN LATERAL (
            SELECT p.key, p.name, m.version
            FROM assignment_log l
            JOIN segmentation_model m ON m.id = l.model_id
            JOIN persona p ON p.id = l.persona_id
            WHERE w.batch_key IS NULL AND l.external_id = w.external_id AND m.name = w.model_name AND l.assigned_at <= w.assigned_at
            ORDER BY l.assigned_at DESC, l.id DESC
            LIMIT 1
          ) logged ON true
          WHERE coalesce(w.batch_key, logged.key) <> w.persona_key
        )
        SELECT (SELECT count(*) FROM inserted)::int AS written,
          coalesce((SELECT json_agg(changes ORDER BY position) FROM changes), '[]'::json) AS changes`;
      return { written: result!.written, changes: result!.changes.map(toPersonaChange) };
    },

    async insertMany(entries) {
      if (entries.length === 0) return 0;
      // One statement with seven array parameters whatever the batch size (createMany would bind
      // seven per row). The join skips entries of a model version deleted while they waited, which
      // would otherwise fail the whole batch on the foreign key; ORDER BY keeps the ids in record order.
      return db.$executeRaw`
        INSERT INTO assignment_log (model_id, persona_id, external_id, distance, confidence, unclassified, assigned_at)
        SELECT e.model_id, e.persona_id, e.external_id, e.distance, e.confidence, e.unclassified, e.assigned_at
        FROM ${entryRows(entries)}
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

function toPersonaChange(row: PersonaChangeRow): PersonaChange {
  return {
    externalId: row.externalId,
    model: { id: row.modelId, name: row.modelName, version: row.modelVersion },
    from: { modelVersion: row.fromVersion, persona: { key: row.fromKey, name: row.fromName } },
    to: { modelVersion: row.modelVersion, persona: { key: row.toKey, name: row.toName } },
    assignedAt: new Date(row.assignedAt),
  };
}
