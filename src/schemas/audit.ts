import { z } from 'zod';
import { AUDIT_ACTIONS } from '../domain/audit.ts';
import { PageQuery, Timestamp } from './common.ts';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const AuditActionSchema = z.enum(AUDIT_ACTIONS).describe('What was done');

export const AuditQuery = PageQuery.extend({
  action: AuditActionSchema.optional().describe('Only entries of this action'),
  actor: z.string().min(1).max(200).optional().describe('Only entries by this API key name (or `scheduler`)'),
  targetType: z.string().min(1).max(50).optional().describe('Only entries about this kind of target (dataset, model, persona, key, schedule, webhook, job)'),
  target: z.string().min(1).max(200).optional().describe('Only entries about this target id (a resource id, or a model name)'),
  from: z.iso.datetime({ offset: true }).optional().describe('Only entries at or after this time'),
  to: z.iso.datetime({ offset: true }).optional().describe('Only entries before this time'),
})
  .strict()
  .superRefine((query, context) => {
    if (query.from !== undefined && query.to !== undefined && Date.parse(query.from) >= Date.parse(query.to)) {
      context.addIssue({ code: 'custom', path: ['to'], message: '"to" must be later than "from"' });
    }
  });

export const AuditEntry = z
  .object({
    id: z.string().describe('Position in the trail (a decimal integer, increasing)'),
    occurredAt: Timestamp.describe('When, by the database clock'),
    actor: z.string().describe('Name of the API key, or `scheduler` for scheduled trainings and what their activation policy did'),
    keyId: z.uuid().nullable().describe('Id of the API key (null: scheduler, or authentication disabled)'),
    requestId: z.string().nullable().describe('X-Request-Id of the request (null: no request)'),
    action: AuditActionSchema,
    method: z.string().nullable(),
    route: z.string().nullable().describe('Route pattern, e.g. /v1/models/:id/activate'),
    target: z.object({ type: z.string().nullable(), id: z.string().nullable() }).describe('What the action was about: a resource id, or a model name'),
    status: z.number().int().describe('HTTP status of the answer: 2xx done, 403 refused (the key lacked the scope)'),
    digest: Sha256.describe('SHA-256 of the canonical change (action, params, query and body; a CSV or NDJSON upload by the SHA-256 of its bytes): identical requests give identical digests'),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])).describe('Facts the route added (ids created, fields edited, reasons); never customer attributes'),
    previousHash: Sha256.nullable().describe('Hash of the entry before (null for the first)'),
    hash: Sha256.describe("SHA-256 of this entry's canonical form, previous hash included"),
  })
  .meta({
    id: 'AuditEntry',
    examples: [
      {
        id: '42',
        occurredAt: '2026-11-26T11:00:00.000Z',
        actor: 'ops',
        keyId: '5d0f3c1e-8a7b-4c2d-9e1f-0a1b2c3d4e5f',
        requestId: '6f1c7a52-5a0e-4a8e-9a49-0c1f3f7d2b10',
        action: 'model.activate',
        method: 'POST',
        route: '/v1/models/:id/activate',
        target: { type: 'model', id: '0b7c6f5e-4d3c-4b2a-9f8e-7d6c5b4a3f2e' },
        status: 200,
        digest: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        details: { name: 'churn-personas', version: 3, previousVersion: 2 },
        previousHash: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
        hash: 'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
      },
    ],
  });

export const AuditVerification = z
  .object({
    intact: z.boolean().describe('Every hash and link recomputes'),
    checked: z.number().int().describe('Entries checked'),
    firstBroken: z
      .object({ id: z.string(), reason: z.enum(['hash-mismatch', 'previous-hash-mismatch']) })
      .nullable()
      .describe('The first entry whose hash, or link to the entry before, does not match'),
    head: z.object({ id: z.string(), hash: Sha256 }).nullable().describe('The newest entry: keep its hash elsewhere to detect entries removed at the end'),
  })
  .meta({ id: 'AuditVerification' });
