import { z } from 'zod';
import { EVENT_TYPES } from '../domain/events.ts';
import { WEBHOOK_DELIVERY_STATUSES } from '../domain/webhook.ts';
import { PageQuery, Timestamp } from './common.ts';

export const EventTypeSchema = z
  .enum(EVENT_TYPES)
  .describe('model.trained, model.activated (also after a rollback), model.drift_detected, customer.persona_changed, job.failed');

export const CreateWebhookRequest = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2048).describe('Where deliveries are POSTed (http or https)'),
    eventTypes: z.array(EventTypeSchema).min(1).max(EVENT_TYPES.length * 2).describe('Event types to deliver'),
    secret: z.string().min(16).max(256).optional().describe('Signing secret (HMAC-SHA256); generated when absent. Returned only in this response'),
    description: z.string().max(500).optional(),
  })
  .strict()
  .meta({ examples: [{ url: 'https://crm.example.com/hooks/personas', eventTypes: ['customer.persona_changed', 'model.activated'], description: 'CRM journeys' }] });

export const WebhookSubscription = z
  .object({
    id: z.uuid(),
    url: z.string(),
    eventTypes: z.array(EventTypeSchema),
    description: z.string().nullable(),
    active: z.boolean(),
    createdAt: Timestamp,
    createdBy: z.string().nullable().describe('Name of the API key that created it'),
  })
  .meta({ id: 'WebhookSubscription' });

export const CreatedWebhook = WebhookSubscription.extend({
  secret: z.string().describe('Signing secret: shown only in this response; keep it to verify Persona-Signature'),
}).meta({
  examples: [
    {
      id: '0b7c6f5e-4d3c-4b2a-9f8e-7d6c5b4a3f2e',
      url: 'https://crm.example.com/hooks/personas',
      eventTypes: ['customer.persona_changed', 'model.activated'],
      description: 'CRM journeys',
      active: true,
      createdAt: '2026-11-25T14:00:00.000Z',
      createdBy: 'ops',
      secret: 'whsec_3q2-7wAbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
    },
  ],
});

export const WebhookIdParams = z.object({ id: z.uuid().describe('Subscription id') });

export const DeliveryParams = z.object({
  id: z.uuid().describe('Subscription id'),
  deliveryId: z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a delivery id (a positive integer)').describe('Delivery id'),
});

export const DeliveryQuery = PageQuery.extend({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional().describe('Only deliveries with this status'),
}).strict();

const ModelRefSchema = z.object({ id: z.uuid(), name: z.string(), version: z.number().int() });
const PersonaRefSchema = z.object({ key: z.string().describe('Identifies the persona across versions'), name: z.string() });

const envelope = { id: z.uuid().describe('Event id: the same in every subscriber\'s delivery; deduplicate by it'), occurredAt: Timestamp } as const;

export const ModelTrainedEvent = z
  .object({
    ...envelope,
    type: z.literal('model.trained'),
    data: z.object({ model: ModelRefSchema, algorithm: z.string(), personas: z.number().int().describe('Personas of the new version') }),
  })
  .meta({ id: 'ModelTrainedEvent' });

export const ModelActivatedEvent = z
  .object({
    ...envelope,
    type: z.literal('model.activated'),
    data: z.object({
      model: ModelRefSchema,
      previous: ModelRefSchema.nullable().describe('The version active before (null: none)'),
      reason: z.enum(['activation', 'rollback']),
    }),
  })
  .meta({ id: 'ModelActivatedEvent' });

export const CustomerPersonaChangedEvent = z
  .object({
    ...envelope,
    type: z.literal('customer.persona_changed'),
    data: z.object({
      externalId: z.string().describe('The customer id the caller gave to /v1/assign'),
      model: ModelRefSchema.describe('The version that made the new assignment'),
      from: z.object({ modelVersion: z.number().int(), persona: PersonaRefSchema }).describe("The customer's previous assignment by this model name"),
      to: z.object({ modelVersion: z.number().int(), persona: PersonaRefSchema }),
      assignedAt: Timestamp,
    }),
  })
  .meta({ id: 'CustomerPersonaChangedEvent' });

export const ModelDriftDetectedEvent = z
  .object({
    ...envelope,
    type: z.literal('model.drift_detected'),
    data: z.object({
      model: ModelRefSchema,
      verdict: z.literal('drifted'),
      window: z.object({ from: Timestamp, to: Timestamp }).describe('The last 24 hours of assignments that were compared with training'),
      observations: z.number().int(),
      features: z.array(z.object({ feature: z.string(), psi: z.number(), verdict: z.enum(['watch', 'drifted']) })).describe('Features at PSI 0.1 or more'),
      personas: z.object({ psi: z.number().nullable().describe('PSI of the persona mix') }),
    }),
  })
  .meta({ id: 'ModelDriftDetectedEvent' });

export const JobFailedEvent = z
  .object({
    ...envelope,
    type: z.literal('job.failed'),
    data: z.object({ job: z.object({ id: z.uuid(), kind: z.literal('train') }), error: z.string().describe('The problem detail (GET /v1/jobs/{id} has the whole problem)') }),
  })
  .meta({ id: 'JobFailedEvent' });

export const WebhookEvent = z
  .discriminatedUnion('type', [ModelTrainedEvent, ModelActivatedEvent, ModelDriftDetectedEvent, CustomerPersonaChangedEvent, JobFailedEvent])
  .meta({ id: 'WebhookEvent', description: 'The body of a delivery: { id, type, occurredAt, data }' });

export const WebhookDelivery = z
  .object({
    id: z.string().describe('Delivery id, also sent as the Persona-Delivery header'),
    eventId: z.uuid(),
    eventType: EventTypeSchema,
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).describe('pending (waiting for an attempt), delivered (2xx), failed (attempts exhausted)'),
    attempts: z.number().int(),
    nextAttemptAt: Timestamp.nullable().describe('When a pending delivery is next attempted (null once delivered or failed)'),
    lastStatusCode: z.number().int().nullable().describe("The receiver's last HTTP status (null: no answer)"),
    lastError: z.string().nullable().describe('Why the last attempt failed, e.g. "HTTP 500" or "timeout after 5000 ms"'),
    createdAt: Timestamp,
    deliveredAt: Timestamp.nullable(),
    payload: WebhookEvent,
  })
  .meta({ id: 'WebhookDelivery' });
