/**
 * Webhook subscriptions and their deliveries (the outbox). A delivery is one event for one
 * subscriber; dispatchers on every replica claim due deliveries, so each is sent by one replica.
 */
import type { EventType, ServiceEvent } from './events.ts';

export interface WebhookSubscription {
  id: string;
  url: string;
  eventTypes: EventType[];
  description: string | null;
  isActive: boolean;
  createdAt: Date;
  /** Name of the API key that created it (null: created with authentication disabled or by a tool). */
  createdBy: string | null;
}

export interface NewWebhookSubscription {
  url: string;
  eventTypes: EventType[];
  secret: string;
  description: string | null;
  createdBy: string | null;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  /** A bigint, as decimal text. */
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: EventType;
  payload: ServiceEvent;
  status: WebhookDeliveryStatus;
  /** Attempts made so far (an attempt under way counts). */
  attempts: number;
  /** When the next attempt is due (pending deliveries; otherwise when the last one was scheduled). */
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A delivery claimed by one dispatcher, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  url: string;
  /** The subscription's signing secret: handled in memory only, never logged. */
  secret: string;
  eventType: EventType;
  payload: ServiceEvent;
  /** Attempts including this one. */
  attempt: number;
}

/** How an attempt ended: delivered, to be retried after a delay, or failed for good. */
export type DeliveryOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; statusCode: number | null; error: string; retryInMs: number }
  | { kind: 'failed'; statusCode: number | null; error: string };
