/**
 * The audit trail of admin actions: who (the API key's name), when, which request, what (an action
 * and its target) and a digest of the change. Entries never hold customer attributes: uploads are
 * kept as the digest of their payload only, and details are small facts a route adds on purpose.
 */

/** Every audited action. A route that changes something names one in `config.audit`. */
export const AUDIT_ACTIONS = [
  'dataset.upload',
  'dataset.import_transactions',
  'dataset.add_products',
  'dataset.add_interactions',
  'model.train',
  'model.merge',
  'model.activate',
  'model.rollback',
  'model.delete',
  'model.alias_set',
  'model.alias_remove',
  'persona.update',
  'key.create',
  'key.revoke',
  'schedule.save',
  'schedule.delete',
  'webhook.create',
  'webhook.delete',
  'webhook.redeliver',
  'job.cancel',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an action is about: the part of its name before the dot (model.activate → model). */
export function auditTargetType(action: AuditAction): string {
  return action.slice(0, action.indexOf('.'));
}

/** A detail value: scalars or a short list of strings (ids, field names), never customer attributes. */
export type AuditDetailValue = string | number | boolean | null | string[];
export type AuditDetails = Record<string, AuditDetailValue>;

/** Actor of actions taken without a request (scheduled trainings and what their policy activates). */
export const SCHEDULER_ACTOR = 'scheduler';

export interface NewAuditEntry {
  actor: string;
  keyId: string | null;
  requestId: string | null;
  action: AuditAction;
  method: string | null;
  route: string | null;
  targetType: string | null;
  targetId: string | null;
  /** HTTP status of the answer (2xx: done; 403: refused for want of scope). */
  status: number;
  /** SHA-256 (hex) of the canonical change. */
  digest: string;
  details: AuditDetails;
}

/** An entry as sealed into the chain: its position, the database's time and the previous entry's hash. */
export interface UnsealedAuditEntry extends NewAuditEntry {
  /** Decimal text (a bigint). */
  id: string;
  occurredAt: Date;
  previousHash: string | null;
}

export interface AuditEntry extends UnsealedAuditEntry {
  hash: string;
}

export interface AuditFilter {
  action?: AuditAction | undefined;
  actor?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

/** The outcome of recomputing the chain from the first entry. */
export interface AuditVerification {
  isIntact: boolean;
  /** Entries checked (all of them when intact; up to the first broken one otherwise). */
  checked: number;
  /** The first entry whose hash or link does not match, and why. */
  firstBroken: { id: string; reason: 'hash-mismatch' | 'previous-hash-mismatch' } | null;
  /** The newest entry: keep its hash elsewhere to detect removal of entries at the end. */
  head: { id: string; hash: string } | null;
}
