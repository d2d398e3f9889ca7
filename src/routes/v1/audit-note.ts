import type { FastifyRequest } from 'fastify';
import type { AuditDetails } from '../../domain/audit.ts';

/**
 * Adds facts to the audit entry of this request (routes with `config.audit`): ids of what was
 * created, the reason given for an override, the fields an edit touched. Merged with earlier notes.
 * Never customer attributes or secrets: the entry is kept for good and shown to every admin key.
 */
export function noteAudit(request: FastifyRequest, details: AuditDetails): void {
  request.auditNote = { ...request.auditNote, details: { ...request.auditNote?.details, ...details } };
}

/** Names the entry's target when the route's params do not (the id of what the request created). */
export function auditTarget(request: FastifyRequest, id: string): void {
  request.auditNote = { details: {}, ...request.auditNote, targetId: id };
}
