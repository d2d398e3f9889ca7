import type { EventType, ServiceEvent } from '../domain/events.ts';
import type { WebhookRepository } from '../domain/repositories.ts';
import type { WebhookDelivery, WebhookSubscription } from '../domain/webhook.ts';
import type { Database } from './client.ts';

const subscriptionSelect = { id: true, url: true, eventTypes: true, description: true, active: true, createdAt: true, createdBy: true } as const;

const deliverySelect = {
  id: true,
  subscriptionId: true,
  eventId: true,
  eventType: true,
  payload: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  createdAt: true,
  deliveredAt: true,
} as const;

interface SubscriptionRow {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  active: boolean;
  createdAt: Date;
  createdBy: string | null;
}

/** A delivery as Prisma reads it: the domain delivery with a bigint id and untyped event fields. */
type DeliveryRow = Omit<WebhookDelivery, 'id' | 'eventType' | 'payload'> & { id: bigint; eventType: string; payload: unknown };

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    // Written only from the validated list of event types.
    eventTypes: row.eventTypes as EventType[],
    description: row.description,
    isActive: row.active,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id.toString(),
    subscriptionId: row.subscriptionId,
    eventId: row.eventId,
    eventType: row.eventType as EventType,
    payload: row.payload as ServiceEvent,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
  };
}

/** A delivery id from the API is decimal text; anything else names no delivery. */
function deliveryIdOf(id: string): bigint | null {
  return /^[1-9][0-9]{0,18}$/.test(id) ? BigInt(id) : null;
}

export function createWebhookRepository(db: Database): WebhookRepository {
  return {
    async createSubscription(subscription) {
      const row = await db.webhookSubscription.create({
        data: {
          url: subscription.url,
          eventTypes: subscription.eventTypes,
          secret: subscription.secret,
          description: subscription.description,
          createdBy: subscription.createdBy,
        },
        select: subscriptionSelect,
      });
      return toSubscription(row);
    },

    async findSubscription(id) {
      const row = await db.webhookSubscription.findUnique({ where: { id }, select: subscriptionSelect });
      return row ? toSubscription(row) : null;
    },

    async listSubscriptions({ limit, offset }) {
      const [rows, total] = await Promise.all([
        db.webhookSubscription.findMany({ select: subscriptionSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit, skip: offset }),
        db.webhookSubscription.count(),
      ]);
      return { items: rows.map(toSubscription), total };
    },

    async deleteSubscription(id) {
      const { count } = await db.webhookSubscription.deleteMany({ where: { id } });
      return count > 0;
    },

    async enqueue(events) {
      if (events.length === 0) return 0;
      // The outbox write: one statement for all events and subscribers, no call to anyone. Event types
      // are few, so scanning the (small) subscription table beats an index on the array.
      return db.$executeRaw`
        INSERT INTO webhook_delivery (subscription_id, event_id, event_type, payload)
        SELECT s.id, e.event_id, e.event_type, e.payload
        FROM unnest(
          ${events.map((event) => event.id)}::uuid[],
          ${events.map((event) => event.type)}::text[],
          ${events.map((event) => JSON.stringify(event))}::jsonb[]
        ) WITH ORDINALITY AS e(event_id, event_type, payload, position)
        JOIN webhook_subscription s ON s.active AND e.event_type = ANY (s.event_types)
        ORDER BY e.position, s.created_at`;
    },

    async claimDue(limit, leaseMs) {
      // Served by the (status, next_attempt_at) index. SKIP LOCKED: a row another dispatcher is
      // claiming right now is left to it; once claimed, the lease keeps the row out of everyone's
      // due set until the attempt's outcome is recorded (or the lease runs out).
      const rows = await db.$queryRaw<Array<{ id: bigint; url: string; secret: string; eventType: string; payload: unknown; attempts: number }>>`
        UPDATE webhook_delivery d
        SET attempts = d.attempts + 1, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
        FROM (
          SELECT id FROM webhook_delivery
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        ) due, webhook_subscription s
        WHERE d.id = due.id AND s.id = d.subscription_id
        RETURNING d.id, s.url, s.secret, d.event_type AS "eventType", d.payload, d.attempts`;
      return rows
        .map((row) => ({
          id: row.id.toString(),
          url: row.url,
          secret: row.secret,
          eventType: row.eventType as EventType,
          payload: row.payload as ServiceEvent,
          attempt: row.attempts,
        }))
        .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    },

    async recordOutcome(deliveryId, outcome) {
      const id = BigInt(deliveryId);
      // Times from the database's clock, like the claim's, so replicas' clocks never mix.
      switch (outcome.kind) {
        case 'delivered':
          await db.$executeRaw`
            UPDATE webhook_delivery
            SET status = 'delivered', delivered_at = now(), next_attempt_at = now(), last_status_code = ${outcome.statusCode}, last_error = NULL
            WHERE id = ${id}`;
          return;
        case 'retry':
          await db.$executeRaw`
            UPDATE webhook_delivery
            SET next_attempt_at = now() + ${outcome.retryInMs} * interval '1 millisecond', last_status_code = ${outcome.statusCode}, last_error = ${outcome.error}
            WHERE id = ${id}`;
          return;
        case 'failed':
          await db.$executeRaw`
            UPDATE webhook_delivery
            SET status = 'failed', next_attempt_at = now(), last_status_code = ${outcome.statusCode}, last_error = ${outcome.error}
            WHERE id = ${id}`;
          return;
      }
    },

    async listDeliveries(subscriptionId, { status }, { limit, offset }) {
      // Served by the (subscription_id, id) index: newest first.
      const where = { subscriptionId, ...(status === undefined ? {} : { status }) };
      const [rows, total] = await Promise.all([
        db.webhookDelivery.findMany({ where, select: deliverySelect, orderBy: { id: 'desc' }, take: limit, skip: offset }),
        db.webhookDelivery.count({ where }),
      ]);
      return { items: rows.map(toDelivery), total };
    },

    async redeliver(subscriptionId, deliveryId) {
      const id = deliveryIdOf(deliveryId);
      if (id === null) return null;
      const rows = await db.$queryRaw<DeliveryRow[]>`
        UPDATE webhook_delivery
        SET status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = NULL
        WHERE id = ${id} AND subscription_id = ${subscriptionId}::uuid
        RETURNING id, subscription_id AS "subscriptionId", event_id::text AS "eventId", event_type AS "eventType", payload, status::text AS status, attempts,
          next_attempt_at AS "nextAttemptAt", last_status_code AS "lastStatusCode", last_error AS "lastError", created_at AS "createdAt", delivered_at AS "deliveredAt"`;
      return rows[0] ? toDelivery(rows[0]) : null;
    },
  };
}
