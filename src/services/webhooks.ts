/**
 * Webhooks: events delivered to subscribers over HTTP, signed, retried, recorded.
 *
 * Publishing is an outbox write: `publish` inserts one delivery row per matching active subscription
 * (one INSERT … SELECT) and returns; nobody is called on the publisher's path. A dispatcher on every
 * replica polls for due deliveries, claims a few with FOR UPDATE SKIP LOCKED and a lease (so two
 * replicas never send the same row at once), POSTs each with a timeout, and records the outcome: 2xx
 * is delivered; anything else is retried after `retryBaseMs · 2^(attempt − 1)` until `maxAttempts`,
 * then failed. Delivery is at least once: a replica that dies mid-attempt leaves the row to be sent
 * again when its lease runs out, so receivers deduplicate by the event id.
 *
 * Signature (Stripe's scheme): `Persona-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * keyed with the subscription's secret, computed afresh for each attempt; receivers recompute it over
 * the raw body and reject timestamps older than five minutes (replays).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { PersonaChange } from '../domain/assignment-log.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { EventPublisher, EventType, NewEvent, ServiceEvent } from '../domain/events.ts';
import type { Page, WebhookRepository } from '../domain/repositories.ts';
import type { ClaimedDelivery, DeliveryOutcome, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from '../domain/webhook.ts';

export interface WebhookSettings {
  /** How often this replica looks for due deliveries; 0: it sends none (others do). */
  dispatchIntervalMs: number;
  /** Longest one attempt may take, connection to response headers. */
  timeoutMs: number;
  /** Delay before the first retry; doubled after each further failed attempt. */
  retryBaseMs: number;
  /** Attempts at most; the delivery is failed after the last. */
  maxAttempts: number;
}

/** The service's log lines; pino and Fastify loggers fit. Fields never carry secrets or payloads. */
export interface WebhookLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface WebhookServiceOptions {
  logger?: WebhookLogger;
  /** Milliseconds since the epoch (default Date.now), for event times and signatures. */
  now?: () => number;
}

export interface NewSubscriptionRequest {
  url: string;
  eventTypes: EventType[];
  /** Signing secret; generated when absent. */
  secret?: string | undefined;
  description?: string | undefined;
  createdBy: string | null;
}

export interface CreatedSubscription {
  subscription: WebhookSubscription;
  /** The signing secret: returned once, at creation. */
  secret: string;
}

/** Deliveries claimed per round: enough to keep a few receivers busy, few enough to send in parallel. */
const CLAIM_BATCH = 20;
/** A claim outlives the attempt's timeout by this much, time to record the outcome. */
const LEASE_MARGIN_MS = 30_000;
const SECRET_PREFIX = 'whsec_';
const USER_AGENT = 'persona-service-webhooks/1';

/** `t=<seconds>,v1=<hex>`: HMAC-SHA256 of "<t>.<body>" with the secret. */
export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/** The body of a delivery: the envelope's members in a fixed order (the stored JSON may reorder them). */
export function deliveryBody(event: ServiceEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data });
}

/** The customer.persona_changed event of a change found by the assignment log. */
export function personaChangedEvent(change: PersonaChange): NewEvent {
  return {
    type: 'customer.persona_changed',
    occurredAt: change.assignedAt,
    data: {
      externalId: change.externalId,
      model: { id: change.model.id, name: change.model.name, version: change.model.version },
      from: change.from,
      to: change.to,
      assignedAt: change.assignedAt.toISOString(),
    },
  };
}

export class WebhookService implements EventPublisher {
  private readonly repository: WebhookRepository;
  private readonly settings: Readonly<WebhookSettings>;
  private readonly logger: WebhookLogger | null;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** Aborts attempts under way when the service stops, so shutdown never waits for a slow receiver. */
  private readonly stopping = new AbortController();
  private round: Promise<void> | null = null;
  private isRoundRequested = false;

  constructor(repository: WebhookRepository, settings: WebhookSettings, options: WebhookServiceOptions = {}) {
    this.repository = repository;
    this.settings = Object.freeze({ ...settings });
    this.logger = options.logger ?? null;
    this.now = options.now ?? Date.now;
  }

  async subscribe(request: NewSubscriptionRequest): Promise<CreatedSubscription> {
    const secret = request.secret ?? `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
    const subscription = await this.repository.createSubscription({
      url: request.url,
      eventTypes: [...new Set(request.eventTypes)],
      secret,
      description: request.description ?? null,
      createdBy: request.createdBy,
    });
    return { subscription, secret };
  }

  list(page: Page): Promise<{ items: WebhookSubscription[]; total: number }> {
    return this.repository.listSubscriptions(page);
  }

  async get(id: string): Promise<WebhookSubscription> {
    const subscription = await this.repository.findSubscription(id);
    if (!subscription) throw new NotFoundError(`webhook subscription ${id} does not exist`);
    return subscription;
  }

  /** Deletes the subscription with its deliveries; pending ones are not sent. */
  async unsubscribe(id: string): Promise<void> {
    if (!(await this.repository.deleteSubscription(id))) throw new NotFoundError(`webhook subscription ${id} does not exist`);
  }

  async deliveries(subscriptionId: string, filter: { status?: WebhookDeliveryStatus | undefined }, page: Page): Promise<{ items: WebhookDelivery[]; total: number }> {
    await this.get(subscriptionId);
    return this.repository.listDeliveries(subscriptionId, filter, page);
  }

  /** Sends a delivery again (whatever its status), with a fresh series of attempts. */
  async redeliver(subscriptionId: string, deliveryId: string): Promise<WebhookDelivery> {
    const delivery = await this.repository.redeliver(subscriptionId, deliveryId);
    if (!delivery) throw new NotFoundError(`webhook subscription ${subscriptionId} has no delivery ${deliveryId}`);
    this.requestRound();
    return delivery;
  }

  /**
   * Stores one delivery per event and matching active subscription, and returns: subscribers are
   * called later by a dispatcher. Never rejects; an event that cannot be stored is logged (type only).
   */
  async publish(...events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const stamped = events.map((event) => ({ id: randomUUID(), type: event.type, occurredAt: (event.occurredAt ?? new Date(this.now())).toISOString(), data: event.data }) as ServiceEvent);
    try {
      const created = await this.repository.enqueue(stamped);
      // This replica sends at once, without waiting for its next poll.
      if (created > 0) this.requestRound();
    } catch (error) {
      this.logger?.error({ eventTypes: [...new Set(events.map((event) => event.type))], events: events.length, error: errorSummary(error) }, 'events could not be stored for webhook delivery');
    }
  }

  /** Starts polling for due deliveries (no-op when the dispatch interval is 0). */
  start(): void {
    if (this.timer !== null || this.settings.dispatchIntervalMs === 0 || this.stopping.signal.aborted) return;
    this.timer = setInterval(() => this.requestRound(), this.settings.dispatchIntervalMs);
    // Polling must not keep an otherwise idle process alive; stop() ends it for a graceful close.
    this.timer.unref();
  }

  /** Stops polling, aborts attempts under way (each counts as a failed attempt) and waits for their outcomes to be recorded. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stopping.abort();
    await this.round;
  }

  /**
   * One dispatch round, for tools and tests: claims the due deliveries (up to a batch), sends them
   * in parallel and records the outcomes. Returns the deliveries attempted.
   */
  async dispatchDue(): Promise<number> {
    const claimed = await this.repository.claimDue(CLAIM_BATCH, this.settings.timeoutMs + LEASE_MARGIN_MS);
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  /** Rounds run one at a time; a request during a round runs another right after it. */
  private requestRound(): void {
    if (this.timer === null || this.stopping.signal.aborted) return;
    if (this.round !== null) {
      this.isRoundRequested = true;
      return;
    }
    this.round = this.runRounds().finally(() => {
      this.round = null;
    });
  }

  private async runRounds(): Promise<void> {
    do {
      this.isRoundRequested = false;
      try {
        // A full batch suggests more are due: go on without waiting for the timer.
        if ((await this.dispatchDue()) === CLAIM_BATCH) this.isRoundRequested = true;
      } catch (error) {
        this.logger?.error({ error: errorSummary(error) }, 'webhook dispatch round failed');
        return;
      }
    } while (this.isRoundRequested && !this.stopping.signal.aborted);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.send(delivery);
    try {
      await this.repository.recordOutcome(delivery.id, outcome);
    } catch (error) {
      // The lease runs out and another attempt follows: at least once, never lost.
      this.logger?.error({ deliveryId: delivery.id, error: errorSummary(error) }, 'webhook delivery outcome could not be recorded');
      return;
    }
    const fields = { deliveryId: delivery.id, eventType: delivery.eventType, attempt: delivery.attempt, statusCode: outcome.statusCode };
    if (outcome.kind === 'delivered') this.logger?.debug?.(fields, 'webhook delivered');
    else if (outcome.kind === 'retry') this.logger?.debug?.({ ...fields, error: outcome.error, retryInMs: outcome.retryInMs }, 'webhook attempt failed; will retry');
    else this.logger?.warn({ ...fields, error: outcome.error }, 'webhook delivery failed after its last attempt');
  }

  private async send(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    const body = deliveryBody(delivery.payload);
    const timestampSeconds = Math.floor(this.now() / 1000);
    let statusCode: number | null = null;
    let error: string;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'persona-event': delivery.eventType,
          'persona-delivery': delivery.id,
          'persona-signature': signatureHeader(delivery.secret, timestampSeconds, body),
        },
        body,
        // A redirect is an answer, not a delivery: following it would send the event somewhere unsubscribed.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.settings.timeoutMs), this.stopping.signal]),
      });
      statusCode = response.status;
      // The body is not read (nor recorded): release the connection.
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { kind: 'delivered', statusCode };
      error = `HTTP ${response.status}`;
    } catch (caught) {
      error = this.describeFailure(caught);
    }
    if (delivery.attempt >= this.settings.maxAttempts) return { kind: 'failed', statusCode, error };
    return { kind: 'retry', statusCode, error, retryInMs: this.settings.retryBaseMs * 2 ** (delivery.attempt - 1) };
  }

  /** A short reason: timeout, shutdown or the network error's code; never a message that could quote the URL. */
  private describeFailure(caught: unknown): string {
    if (this.stopping.signal.aborted) return 'interrupted by shutdown';
    if (caught instanceof Error && caught.name === 'TimeoutError') return `timeout after ${this.settings.timeoutMs} ms`;
    const cause = caught instanceof Error ? (caught.cause as { code?: unknown } | undefined) : undefined;
    if (typeof cause?.code === 'string') return `network error ${cause.code}`;
    return caught instanceof Error ? `request failed (${caught.name})` : 'request failed';
  }
}

function errorSummary(error: unknown): { name: string; code?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name: error.name, code } : { name: error.name };
}
