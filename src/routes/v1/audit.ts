import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuditEntry as AuditEntryRecord } from '../../domain/audit.ts';
import { AuditEntry, AuditQuery, AuditVerification } from '../../schemas/audit.ts';
import { commonProblems, pageOf } from '../../schemas/common.ts';

function toAuditEntryDto(entry: AuditEntryRecord) {
  const { id, occurredAt, actor, keyId, requestId, action, method, route, targetType, targetId, status, digest, details, previousHash, hash } = entry;
  return { id, occurredAt: occurredAt.toISOString(), actor, keyId, requestId, action, method, route, target: { type: targetType, id: targetId }, status, digest, details, previousHash, hash };
}

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail of admin actions, newest first',
        description:
          'One entry per admin action (uploads, trainings, activations, rollbacks, persona edits, key creation and revocation, …) with the API key’s name, the time, the request id and a digest of the change; actions refused for want of scope (403) too. Append-only: the database refuses to change or delete entries, and each entry’s hash covers the one before (see /v1/audit/verify). No customer attributes.',
        security: [{ apiKey: [] }],
        querystring: AuditQuery,
        response: { 200: pageOf(AuditEntry), ...commonProblems },
      },
    },
    async (request) => {
      const { limit, offset, action, actor, targetType, target, from, to } = request.query;
      const page = await app.services.auditTrail.list(
        { action, actor, targetType, targetId: target, from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) },
        { limit, offset },
      );
      return { items: page.items.map(toAuditEntryDto), total: page.total, limit, offset };
    },
  );

  app.get(
    '/audit/verify',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the audit trail’s hash chain',
        description: 'Walks every entry from the first, recomputing its hash and its link to the entry before; reports the first that does not match. Takes time in proportion to the trail’s length.',
        security: [{ apiKey: [] }],
        response: { 200: AuditVerification, ...commonProblems },
      },
    },
    async () => {
      const { isIntact, checked, firstBroken, head } = await app.services.auditTrail.verify();
      return { intact: isIntact, checked, firstBroken, head };
    },
  );
};
