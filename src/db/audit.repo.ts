import type { AuditAction, AuditDetails, AuditEntry } from '../domain/audit.ts';
import type { AuditRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import type { Prisma } from './generated/client.ts';

/** A row as Prisma reads it: the domain entry with a bigint id, and untyped action and details. */
type AuditRow = Omit<AuditEntry, 'id' | 'action' | 'details'> & { id: bigint; action: string; details: unknown };

function toAuditEntry(row: AuditRow): AuditEntry {
  // Written only from the AuditAction list and an AuditDetails object.
  return { ...row, id: row.id.toString(), action: row.action as AuditAction, details: row.details as AuditDetails };
}

export function createAuditRepository(db: Database): AuditRepository {
  return {
    async append(entry, seal) {
      return db.$transaction(async (tx) => {
        // One writer at a time across replicas, until commit: the chain never forks, and ids and
        // times follow the chain's order.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('audit-trail'))`;
        const [last] = await tx.$queryRaw<Array<{ hash: string }>>`SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1`;
        const [next] = await tx.$queryRaw<Array<{ id: bigint; at: Date }>>`
          SELECT nextval(pg_get_serial_sequence('audit_entry', 'id')) AS id, clock_timestamp() AS at`;
        // The time as JavaScript holds it (milliseconds): what is hashed is exactly what is stored.
        const unsealed = { ...entry, id: next!.id.toString(), occurredAt: new Date(next!.at.getTime()), previousHash: last?.hash ?? null };
        const hash = seal(unsealed);
        await tx.auditEntry.create({ data: { ...unsealed, id: next!.id, details: entry.details as Prisma.InputJsonObject, hash } });
        return { ...unsealed, hash };
      });
    },

    async list(filter, page) {
      const where: Prisma.AuditEntryWhereInput = {
        action: filter.action,
        actor: filter.actor,
        targetType: filter.targetType,
        targetId: filter.targetId,
        occurredAt: filter.from || filter.to ? { gte: filter.from, lt: filter.to } : undefined,
      };
      const [rows, total] = await Promise.all([
        db.auditEntry.findMany({ where, orderBy: { id: 'desc' }, take: page.limit, skip: page.offset }),
        db.auditEntry.count({ where }),
      ]);
      return { items: rows.map(toAuditEntry), total };
    },

    async listAfter(afterId, limit) {
      const rows = await db.auditEntry.findMany({ where: afterId === null ? {} : { id: { gt: BigInt(afterId) } }, orderBy: { id: 'asc' }, take: limit });
      return rows.map(toAuditEntry);
    },
  };
}
