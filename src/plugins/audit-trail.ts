/**
 * Records admin actions in the audit trail. A route names its action in `config: { scope, audit }`;
 * this plugin adds an onSend hook to exactly those routes (nothing runs on the others, /v1/assign
 * included) which, before the answer leaves:
 * - records a 2xx answer (the change was made) with the API key's name and id, the request id, the
 *   route, its target and the digest of params, query and body;
 * - records a 403 answer too (a known key without the scope tried an admin action; the body was never
 *   read, so the digest covers params and query). A 401 (no key, or an unknown one) is not recorded:
 *   there is no actor to name, and anyone could fill the trail with them; the access log has them.
 * Other failures changed nothing and are not recorded.
 *
 * The entry is written before the answer is sent, so a client that got its answer knows the action
 * was recorded. A write that fails is logged at error, counted (persona_audit_write_failures_total)
 * and flagged on the answer with `Audit-Trail: unrecorded`; the answer itself stands, because the
 * change has been made and its result (a created key, a dataset id) must reach the client.
 *
 * Routes add non-customer facts with `noteAudit(request, …)` (src/routes/v1/audit-note.ts).
 */
import type { FastifyReply, FastifyRequest, FastifySchema, onSendHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { auditTargetType } from '../domain/audit.ts';
import type { AuditAction, AuditDetails, NewAuditEntry } from '../domain/audit.ts';
import { changeDigest } from '../services/audit-trail.ts';

/** What a handler adds to its request's entry. */
export interface AuditNote {
  /** The target when the params do not name it (the id of what the request created). */
  targetId?: string | undefined;
  details: AuditDetails;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audit trail action this route performs; every route that changes something names one. */
    audit?: AuditAction;
  }
  interface FastifyRequest {
    auditNote: AuditNote | null;
  }
}

/** The params that name a route's target, in order of preference. */
const TARGET_PARAMS = ['id', 'name', 'modelName'] as const;

function targetIdOf(request: FastifyRequest): string | null {
  if (request.auditNote?.targetId !== undefined) return request.auditNote.targetId;
  const params = (request.params ?? {}) as Record<string, unknown>;
  for (const key of TARGET_PARAMS) if (typeof params[key] === 'string') return params[key];
  return null;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export const auditTrailPlugin = fp(
  async (app) => {
    app.decorateRequest('auditNote', null);

    const recorderOf = (action: AuditAction) =>
      async function recordAudit(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
        const status = reply.statusCode;
        const principal = request.principal;
        const isDone = status >= 200 && status < 300;
        if (!principal || !(isDone || status === 403)) return payload;
        const entry: NewAuditEntry = {
          actor: principal.name,
          keyId: principal.keyId,
          requestId: request.id,
          action,
          method: request.method,
          route: request.routeOptions.url ?? null,
          targetType: auditTargetType(action),
          targetId: targetIdOf(request),
          status,
          digest: changeDigest({ action, params: request.params, query: request.query, body: isDone ? request.body : undefined }),
          details: request.auditNote?.details ?? {},
        };
        try {
          await app.services.auditTrail.record(entry);
        } catch (error) {
          request.log.error({ err: error, action, targetId: entry.targetId }, 'audit entry could not be written');
          reply.header('audit-trail', 'unrecorded');
        }
        return payload;
      };

    app.addHook('onRoute', (route: RouteOptions) => {
      const action = route.config?.audit;
      if (action === undefined) return;
      // Without a scope there is no actor: an audited route that anyone could call is a mistake.
      if (route.config?.scope === undefined) throw new Error(`route ${route.method} ${route.url} is audited (${action}) but declares no scope`);
      route.onSend = [...asArray(route.onSend), recorderOf(action) as onSendHookHandler];
      // The OpenAPI operation says which action it records (an x- extension @fastify/swagger copies).
      route.schema = { ...route.schema, 'x-audit-action': action } as FastifySchema;
    });
  },
  { name: 'audit-trail', dependencies: ['services', 'auth'] },
);
