/**
 * /v1/webhooks (issue 7): subscriptions, and the events the service raises reaching a receiver on
 * loopback, signed: model.trained, model.activated (also by a rollback) and customer.persona_changed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.ts';
import { pageOf } from '../../../src/schemas/common.ts';
import { CreatedWebhook, WebhookDelivery, WebhookEvent, WebhookSubscription } from '../../../src/schemas/webhooks.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../../helpers/factories.ts';
import { startWebhookReceiver, verifySignature } from '../../helpers/webhook-receiver.ts';
import type { ReceivedRequest, WebhookReceiver } from '../../helpers/webhook-receiver.ts';

const WEBHOOKS: Config['webhooks'] = { dispatchIntervalMs: 20, timeoutMs: 2_000, retryBaseMs: 100, maxAttempts: 3 };
const segmentCustomer = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bodies a receiver got, as subscribers see them: signature checked, then parsed by the event schema. */
function eventsOf(requests: readonly ReceivedRequest[], secret: string) {
  return requests.map((request) => {
    expect(verifySignature(request.headers['persona-signature'] as string, request.rawBody, secret)).toBe(true);
    const event = WebhookEvent.parse(JSON.parse(request.rawBody));
    expect(request.headers['persona-event']).toBe(event.type);
    return event;
  });
}

describe('/v1/webhooks', () => {
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    // The assignment log is written when a test flushes it; logs are captured to check for secrets.
    t = await buildTestApp({
      captureLogs: true,
      config: { webhooks: WEBHOOKS, assignmentLog: { sampleRate: 1, flushIntervalMs: 600_000, batchSize: 500, maxPending: 50_000 } },
    });
  });
  afterEach(async () => {
    for (const subscription of (await t.app.services.webhooks.list({ limit: 500, offset: 0 })).items) await t.app.services.webhooks.unsubscribe(subscription.id);
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });
  afterAll(async () => t?.close());

  const subscribe = async (payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.admin, payload });
    expect(response.statusCode).toBe(201);
    const created = CreatedWebhook.parse(response.json());
    secrets.push(created.secret);
    return created;
  };
  const receiverFor = async (eventTypes: string[]) => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    return { receiver, subscription: await subscribe({ url: receiver.url, eventTypes }) };
  };

  describe('POST /v1/webhooks', () => {
    it('creates a subscription and returns its generated secret once', async () => {
      const created = await subscribe({ url: 'https://crm.example.com/hooks', eventTypes: ['model.activated', 'job.failed'], description: 'CRM' });
      expect(created).toMatchObject({ url: 'https://crm.example.com/hooks', eventTypes: ['model.activated', 'job.failed'], description: 'CRM', active: true, createdBy: 'test admin' });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    });

    it('keeps a secret the caller chose', async () => {
      const created = await subscribe({ url: 'http://127.0.0.1:1/hooks', eventTypes: ['model.trained'], secret: 'a-secret-of-our-own-choosing' });
      expect(created.secret).toBe('a-secret-of-our-own-choosing');
    });

    it('rejects a bad body with 400 and a pointer to every invalid field', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: t.admin,
        payload: { url: 'ftp://crm.example.com/hooks', eventTypes: ['model.trained', 'model.deleted'], secret: 'short', colour: 'blue' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const pointers = response.json().errors.map((error: { pointer: string }) => error.pointer).sort();
      expect(pointers).toEqual(['/colour', '/eventTypes/1', '/secret', '/url']);
    });

    it('rejects a subscription to no event type', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.admin, payload: { url: 'https://crm.example.com/hooks', eventTypes: [] } });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toMatchObject([{ location: 'body', pointer: '/eventTypes' }]);
    });

    it('needs the admin scope', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: await t.keyWith('read'), payload: { url: 'https://crm.example.com/hooks', eventTypes: ['model.trained'] } });
      expect(response.statusCode).toBe(403);
    });
  });

  describe('GET and DELETE /v1/webhooks', () => {
    it('lists and shows subscriptions without their secrets', async () => {
      const created = await subscribe({ url: 'https://crm.example.com/hooks', eventTypes: ['model.trained'], secret: 'listing-secret-never-shown' });
      const listed = await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers: t.admin });
      const shown = await t.app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}`, headers: t.admin });
      expect(listed.statusCode).toBe(200);
      expect(shown.statusCode).toBe(200);
      const page = pageOf(WebhookSubscription).parse(listed.json());
      expect(page.items.map((item) => item.id)).toContain(created.id);
      const { secret: _secret, ...withoutSecret } = created;
      expect(WebhookSubscription.parse(shown.json())).toEqual(withoutSecret);
      for (const body of [listed.body, shown.body]) {
        expect(body).not.toContain('listing-secret-never-shown');
        expect(body).not.toContain('secret');
      }
    });

    it('deletes a subscription: it is gone, with its deliveries', async () => {
      const created = await subscribe({ url: 'https://crm.example.com/hooks', eventTypes: ['model.trained'] });
      const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${created.id}`, headers: t.admin });
      expect(deleted.statusCode).toBe(204);
      for (const url of [`/v1/webhooks/${created.id}`, `/v1/webhooks/${created.id}/deliveries`]) {
        const response = await t.app.inject({ method: 'GET', url, headers: t.admin });
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${created.id}`, headers: t.admin })).statusCode).toBe(404);
    });

    it('rejects a malformed id and an unknown delivery status with pointers', async () => {
      const byId = await t.app.inject({ method: 'GET', url: '/v1/webhooks/not-a-uuid', headers: t.admin });
      expect(byId.statusCode).toBe(400);
      expect(byId.json().errors).toMatchObject([{ location: 'params', pointer: '/id' }]);
      const created = await subscribe({ url: 'https://crm.example.com/hooks', eventTypes: ['model.trained'] });
      const byStatus = await t.app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}/deliveries?status=lost`, headers: t.admin });
      expect(byStatus.statusCode).toBe(400);
      expect(byStatus.json().errors).toMatchObject([{ location: 'query', pointer: '/status' }]);
    });
  });

  describe('model events', () => {
    it('delivers model.trained and model.activated, signed, when a model is trained and activated', async () => {
      const { receiver, subscription } = await receiverFor(['model.trained', 'model.activated']);
      const { model } = await trainSegmentModel(t.app, t.admin, { name: 'webhook-model' });

      const [trainedEvent, activatedEvent] = eventsOf(await receiver.waitFor(2), subscription.secret);
      expect(trainedEvent).toMatchObject({ type: 'model.trained', data: { model: { id: model.id, name: 'webhook-model', version: model.version }, algorithm: 'kmeans', personas: 3 } });
      expect(activatedEvent).toMatchObject({ type: 'model.activated', data: { model: { id: model.id, name: 'webhook-model', version: model.version }, previous: null, reason: 'activation' } });
      expect(trainedEvent!.id).not.toBe(activatedEvent!.id);

      // The outcome is recorded once the receiver has answered: wait for both records.
      const delivered = async () => pageOf(WebhookDelivery).parse((await t.app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}/deliveries?status=delivered`, headers: t.admin })).json());
      let page = await delivered();
      for (let wait = 0; page.total < 2 && wait < 100; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        page = await delivered();
      }
      expect(page.items.map((delivery) => [delivery.eventId, delivery.attempts, delivery.lastStatusCode])).toEqual([
        [activatedEvent!.id, 1, 200],
        [trainedEvent!.id, 1, 200],
      ]);
      const failed = await t.app.inject({ method: 'GET', url: `/v1/webhooks/${subscription.id}/deliveries?status=failed&limit=1`, headers: t.admin });
      expect(failed.json()).toMatchObject({ items: [], total: 0, limit: 1 });
    });

    it('delivers model.activated with the replaced version, and again after a rollback', async () => {
      const { model: first } = await trainSegmentModel(t.app, t.admin, { name: 'webhook-rollback' });
      const { receiver, subscription } = await receiverFor(['model.activated']);
      const { model: second } = await trainSegmentModel(t.app, t.admin, { name: 'webhook-rollback' });
      const rollback = await t.app.inject({ method: 'POST', url: '/v1/models/webhook-rollback/rollback', headers: t.admin });
      expect(rollback.statusCode).toBe(200);

      const events = eventsOf(await receiver.waitFor(2), subscription.secret);
      const ref = (model: { id: string; version: number }) => ({ id: model.id, name: 'webhook-rollback', version: model.version });
      expect(events.map((event) => event.data)).toEqual([
        { model: ref(second), previous: ref(first), reason: 'activation' },
        { model: ref(first), previous: ref(second), reason: 'rollback' },
      ]);
    });

    it('delivers nothing for event types nobody subscribed to', async () => {
      const { receiver } = await receiverFor(['customer.persona_changed']);
      await trainSegmentModel(t.app, t.admin, { name: 'webhook-unwatched' });
      await sleep(300);
      expect(receiver.received).toHaveLength(0);
    });
  });

  describe('customer.persona_changed', () => {
    let model: { id: string; name: string; version: number };
    beforeAll(async () => {
      ({ model } = await trainSegmentModel(t.app, t.admin, { name: 'webhook-personas' }));
    });

    const assign = async (customerId: string | undefined, segment: number) => {
      const payload = customerId === undefined ? { attributes: segmentCustomer(segment) } : { customerId, attributes: segmentCustomer(segment) };
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign?model=webhook-personas', headers: t.admin, payload });
      expect(response.statusCode).toBe(200);
      return response.json().persona as { id: string; key: string; name: string };
    };
    const flushLog = () => t.app.services.assignmentLog.flush();

    it('raises one event when a known customer is assigned another persona, none when the persona stays', async () => {
      const { receiver, subscription } = await receiverFor(['customer.persona_changed']);
      const young = await assign('CRM-1', 0);
      await flushLog(); // first assignment: nothing to compare with
      const family = await assign('CRM-1', 1);
      await flushLog();
      await assign('CRM-1', 1);
      await assign(undefined, 2); // no customer id: never an event
      await flushLog();

      const [event] = eventsOf(await receiver.waitFor(1), subscription.secret);
      expect(event).toMatchObject({
        type: 'customer.persona_changed',
        data: {
          externalId: 'CRM-1',
          model: { id: model.id, name: 'webhook-personas', version: model.version },
          from: { modelVersion: model.version, persona: { key: young.key, name: young.name } },
          to: { modelVersion: model.version, persona: { key: family.key, name: family.name } },
        },
      });
      expect(young.key).not.toBe(family.key);
      await sleep(300);
      expect(receiver.received).toHaveLength(1);
    });

    it('compares with an earlier assignment of the same batch, and carries no attributes', async () => {
      const { receiver, subscription } = await receiverFor(['customer.persona_changed']);
      const senior = await assign('CRM-2', 2);
      const young = await assign('CRM-2', 0);
      await assign('CRM-2', 0);
      await flushLog();

      const [event] = eventsOf(await receiver.waitFor(1), subscription.secret);
      expect(event!.data).toMatchObject({ externalId: 'CRM-2', from: { persona: { key: senior.key } }, to: { persona: { key: young.key } } });
      const raw = receiver.received[0]!.rawBody;
      for (const attribute of ['age', 'income', 'home_ownership', 'web_visits', String(SEGMENTS[0]!.income)]) expect(raw).not.toContain(attribute);
      await sleep(300);
      expect(receiver.received).toHaveLength(1);
    });
  });

  it('never writes a secret to the logs', async () => {
    const { receiver } = await receiverFor(['model.trained']);
    await trainSegmentModel(t.app, t.admin, { name: 'webhook-logs', activate: false });
    await receiver.waitFor(1);
    expect(secrets.length).toBeGreaterThan(3);
    const logs = t.logLines.join('\n');
    expect(logs).toContain('webhook subscription created');
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
