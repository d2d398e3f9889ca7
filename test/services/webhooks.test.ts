/**
 * Webhook publishing and delivery (issue 7): an outbox row per event and subscriber, sent by a
 * dispatcher to a receiver on loopback, signed, retried with exponential backoff, recorded with its
 * outcome, and sent once even when several replicas dispatch from one database.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { createWebhookRepository } from '../../src/db/webhook.repo.ts';
import type { NewEvent } from '../../src/domain/events.ts';
import type { WebhookDelivery } from '../../src/domain/webhook.ts';
import { WebhookService } from '../../src/services/webhooks.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { startWebhookReceiver, verifySignature } from '../helpers/webhook-receiver.ts';
import type { WebhookReceiver } from '../helpers/webhook-receiver.ts';

/** Tiny delays so retries happen within a test: first retry after 100 ms, then 200 ms. */
const FAST: Config['webhooks'] = { dispatchIntervalMs: 20, timeoutMs: 2_000, retryBaseMs: 100, maxAttempts: 3 };

const trained = (version: number): NewEvent => ({
  type: 'model.trained',
  data: { model: { id: '9b1f3c1e-2a4d-4e5f-8a6b-7c8d9e0f1a2b', name: 'churn', version }, algorithm: 'kmeans', personas: 4 },
});
const activated = (version: number): NewEvent => ({
  type: 'model.activated',
  data: { model: { id: '9b1f3c1e-2a4d-4e5f-8a6b-7c8d9e0f1a2b', name: 'churn', version }, previous: null, reason: 'activation' },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; fails when it still does not after `withinMs`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, withinMs = 10_000): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (performance.now() > deadline) throw new Error(`not reached within ${withinMs} ms: ${JSON.stringify(value)}`);
    await sleep(10);
  }
}

async function deliveriesOf(t: TestApp, subscriptionId: string): Promise<WebhookDelivery[]> {
  return (await t.app.services.webhooks.deliveries(subscriptionId, {}, { limit: 500, offset: 0 })).items;
}

describe('WebhookService', () => {
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (options?: Parameters<typeof startWebhookReceiver>[0]) => {
    const started = await startWebhookReceiver(options);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    t = await buildTestApp({ config: { webhooks: FAST } });
  });
  afterEach(async () => {
    // Each test's subscriptions go, so later events reach only the next test's receivers.
    for (const subscription of (await t.app.services.webhooks.list({ limit: 500, offset: 0 })).items) await t.app.services.webhooks.unsubscribe(subscription.id);
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => t?.close());

  it('delivers a published event, signed with the subscription secret, with its type and delivery id in headers', async () => {
    const hook = await receiver();
    const { subscription, secret } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: 'test' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    await t.app.services.webhooks.publish(trained(3));
    const [request] = await hook.waitFor(1);
    const body = JSON.parse(request!.rawBody);
    expect(body).toEqual({ id: expect.any(String), type: 'model.trained', occurredAt: expect.any(String), data: trained(3).data });
    expect(Object.keys(body)).toEqual(['id', 'type', 'occurredAt', 'data']);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['persona-event']).toBe('model.trained');
    expect(verifySignature(request!.headers['persona-signature'] as string, request!.rawBody, secret)).toBe(true);
    expect(verifySignature(request!.headers['persona-signature'] as string, request!.rawBody, 'whsec_another-secret-entirely')).toBe(false);
    expect(verifySignature(request!.headers['persona-signature'] as string, request!.rawBody.replace('"version":3', '"version":4'), secret)).toBe(false);

    const [delivery] = await eventually(
      () => deliveriesOf(t, subscription.id),
      (items) => items[0]?.status === 'delivered',
    );
    expect(request!.headers['persona-delivery']).toBe(delivery!.id);
    expect(delivery).toMatchObject({ eventId: body.id, eventType: 'model.trained', attempts: 1, lastStatusCode: 200, lastError: null });
    expect(delivery!.deliveredAt).toBeInstanceOf(Date);
  });

  it('rejects a signature older than five minutes, as subscribers are told to (replays)', async () => {
    const hook = await receiver();
    const { secret } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
    await t.app.services.webhooks.publish(trained(1));
    const [request] = await hook.waitFor(1);
    const header = request!.headers['persona-signature'] as string;
    const signedAt = Number(/t=(\d+)/.exec(header)![1]);
    expect(Math.abs(signedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(verifySignature(header, request!.rawBody, secret, signedAt + 300)).toBe(true);
    expect(verifySignature(header, request!.rawBody, secret, signedAt + 301)).toBe(false);
  });

  it('delivers only the event types a subscription asked for', async () => {
    const hook = await receiver();
    const { subscription } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.activated'], createdBy: null });
    await t.app.services.webhooks.publish(trained(5), activated(5), trained(6));
    await hook.waitFor(1);
    await sleep(200); // several dispatch rounds: nothing else arrives
    expect(hook.received.map((request) => request.headers['persona-event'])).toEqual(['model.activated']);
    expect((await deliveriesOf(t, subscription.id)).map((delivery) => delivery.eventType)).toEqual(['model.activated']);
  });

  it('retries a receiver that answers 500 twice, with a doubled delay, and records the delivery as delivered after 3 attempts', async () => {
    const hook = await receiver({ answer: (index) => (index < 2 ? 500 : 200) });
    const { subscription, secret } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
    await t.app.services.webhooks.publish(trained(7));

    const attempts = await hook.waitFor(3);
    const firstDelayMs = attempts[1]!.arrivedAtMs - attempts[0]!.arrivedAtMs;
    const secondDelayMs = attempts[2]!.arrivedAtMs - attempts[1]!.arrivedAtMs;
    // Lower bounds only: each retry is due retryBaseMs · 2^(attempt − 1) after the failed answer.
    expect(firstDelayMs).toBeGreaterThanOrEqual(FAST.retryBaseMs);
    expect(secondDelayMs).toBeGreaterThanOrEqual(2 * FAST.retryBaseMs);
    // The same event and delivery every time, each attempt signed afresh and valid.
    expect(new Set(attempts.map((request) => request.rawBody)).size).toBe(1);
    expect(new Set(attempts.map((request) => request.headers['persona-delivery'])).size).toBe(1);
    for (const request of attempts) expect(verifySignature(request.headers['persona-signature'] as string, request.rawBody, secret)).toBe(true);

    const [delivery] = await eventually(
      () => deliveriesOf(t, subscription.id),
      (items) => items[0]?.status === 'delivered',
    );
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
  });

  it('fails a delivery after the last attempt, recording the status without the receiver body, and tries no more', async () => {
    const hook = await receiver({ answer: () => 503 });
    const { subscription } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
    await t.app.services.webhooks.publish(trained(8));

    const [delivery] = await eventually(
      () => deliveriesOf(t, subscription.id),
      (items) => items[0]?.status === 'failed',
    );
    expect(delivery).toMatchObject({ attempts: FAST.maxAttempts, lastStatusCode: 503, lastError: 'HTTP 503', deliveredAt: null });
    await sleep(8 * FAST.retryBaseMs);
    expect(hook.received).toHaveLength(FAST.maxAttempts);
  });

  it('counts a receiver that hangs up as a failed attempt and retries it', async () => {
    const hook = await receiver({ answer: (index) => (index === 0 ? -1 : 204) });
    const { subscription } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
    await t.app.services.webhooks.publish(trained(9));
    const [delivery] = await eventually(
      () => deliveriesOf(t, subscription.id),
      (items) => items[0]?.status === 'delivered',
    );
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 204 });
    expect(hook.received).toHaveLength(2);
  });

  it('sends again on request a delivery that failed, with a fresh series of attempts', async () => {
    let isFixed = false;
    const hook = await receiver({ answer: () => (isFixed ? 200 : 500) });
    const { subscription } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
    await t.app.services.webhooks.publish(trained(10));
    const [failed] = await eventually(
      () => deliveriesOf(t, subscription.id),
      (items) => items[0]?.status === 'failed',
    );
    isFixed = true;
    await t.app.services.webhooks.redeliver(subscription.id, failed!.id);
    const [delivered] = await eventually(
      () => deliveriesOf(t, subscription.id),
      (items) => items[0]?.status === 'delivered',
    );
    expect(delivered).toMatchObject({ id: failed!.id, attempts: 1, lastStatusCode: 200 });
    expect(hook.received).toHaveLength(FAST.maxAttempts + 1);
  });
});

describe('WebhookService publishing', () => {
  it('stores a pending delivery and calls nobody until a dispatcher sends it', async () => {
    // Dispatch off (interval 0): the app only publishes; the test dispatches by hand.
    const t = await buildTestApp({ config: { webhooks: { ...FAST, dispatchIntervalMs: 0 } } });
    const hook = await startWebhookReceiver();
    try {
      const { subscription } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
      await t.app.services.webhooks.publish(trained(1));
      await sleep(100);
      expect(hook.received).toHaveLength(0);
      expect(await deliveriesOf(t, subscription.id)).toMatchObject([{ status: 'pending', attempts: 0 }]);

      expect(await t.app.services.webhooks.dispatchDue()).toBe(1);
      expect(hook.received).toHaveLength(1);
      expect(await deliveriesOf(t, subscription.id)).toMatchObject([{ status: 'delivered', attempts: 1 }]);
      expect(await t.app.services.webhooks.dispatchDue()).toBe(0);
    } finally {
      await hook.close();
      await t.close();
    }
  });

  it('records a receiver slower than the timeout as a timed-out attempt', async () => {
    const t = await buildTestApp({ config: { webhooks: { ...FAST, dispatchIntervalMs: 0, timeoutMs: 200 } } });
    const hook = await startWebhookReceiver({ delayMs: 2_000 });
    try {
      const { subscription } = await t.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained'], createdBy: null });
      await t.app.services.webhooks.publish(trained(1));
      await t.app.services.webhooks.dispatchDue();
      expect(await deliveriesOf(t, subscription.id)).toMatchObject([{ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'timeout after 200 ms' }]);
    } finally {
      await hook.close();
      await t.close();
    }
  });
  it('never hands one delivery to two dispatchers claiming at the same moment', async () => {
    // Two connection pools (two replicas), twenty claims at once over 200 due deliveries.
    // The app itself dispatches nothing here (interval 0), so the claims below are the only ones.
    const t = await buildTestApp({ config: { webhooks: { ...FAST, dispatchIntervalMs: 0 } } });
    const first = createPrismaClient({ url: t.database.url, poolSize: 10 });
    const second = createPrismaClient({ url: t.database.url, poolSize: 10 });
    try {
      await t.app.services.webhooks.subscribe({ url: 'http://127.0.0.1:9/unused', eventTypes: ['job.failed'], createdBy: null });
      const publisher = new WebhookService(createWebhookRepository(first), { ...FAST, dispatchIntervalMs: 0 });
      await publisher.publish(...Array.from({ length: 200 }, (_, i): NewEvent => ({ type: 'job.failed', data: { job: { id: String(i), kind: 'train' }, error: 'test' } })));
      const repositories = [createWebhookRepository(first), createWebhookRepository(second)];
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => repositories[i % 2]!.claimDue(20, 60_000)));
      const claimed = claims.flat().map((delivery) => delivery.id);
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
    } finally {
      await first.$disconnect();
      await second.$disconnect();
      await t.close();
    }
  });
});

describe('WebhookService across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await buildTestApp({ config: { webhooks: FAST } });
    b = await buildTestApp({ database: a.database, config: { webhooks: FAST } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers each event exactly once when two replicas dispatch from one database', async () => {
    // A slow receiver keeps claims of both replicas overlapping; a third, non-dispatching publisher
    // (a tool, say) writes the events, so neither replica is kicked first: both poll for them.
    const hook = await startWebhookReceiver({ delayMs: 15 });
    const database = createPrismaClient({ url: a.database.url, poolSize: 2 });
    try {
      const { subscription } = await a.app.services.webhooks.subscribe({ url: hook.url, eventTypes: ['model.trained', 'model.activated'], createdBy: null });
      const publisher = new WebhookService(createWebhookRepository(database), { ...FAST, dispatchIntervalMs: 0 });
      const events = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? trained(i) : activated(i)));
      for (let i = 0; i < events.length; i += 10) await publisher.publish(...events.slice(i, i + 10));

      await hook.waitFor(events.length, 20_000);
      await eventually(
        () => deliveriesOf(a, subscription.id),
        (items) => items.length === events.length && items.every((delivery) => delivery.status === 'delivered'),
      );
      await sleep(200);
      const eventIds = hook.received.map((request) => JSON.parse(request.rawBody).id as string);
      expect(eventIds).toHaveLength(events.length);
      expect(new Set(eventIds).size).toBe(events.length);
      expect((await deliveriesOf(b, subscription.id)).every((delivery) => delivery.attempts === 1)).toBe(true);
    } finally {
      await database.$disconnect();
      await hook.close();
    }
  });
});
