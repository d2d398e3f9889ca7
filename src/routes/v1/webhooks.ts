import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebhookDelivery as Delivery, WebhookSubscription as Subscription } from '../../domain/webhook.ts';
import { commonProblems, pageOf, PageQuery, Problem } from '../../schemas/common.ts';
import { CreatedWebhook, CreateWebhookRequest, DeliveryParams, DeliveryQuery, WebhookDelivery, WebhookIdParams, WebhookSubscription } from '../../schemas/webhooks.ts';
import { actorOf } from './actor.ts';
import { auditTarget, noteAudit } from './audit-note.ts';

/** Never the secret: it is returned once, by POST /v1/webhooks. */
function toSubscriptionDto(subscription: Subscription) {
  const { id, url, eventTypes, description, isActive, createdAt, createdBy } = subscription;
  return { id, url, eventTypes, description, active: isActive, createdAt: createdAt.toISOString(), createdBy };
}

function toDeliveryDto(delivery: Delivery) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    payload: delivery.payload,
  };
}

const SIGNATURE_NOTE =
  'Each delivery is a POST with `Content-Type: application/json`, `Persona-Event`, `Persona-Delivery` and ' +
  '`Persona-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>`. ' +
  'A 2xx answer within WEBHOOK_TIMEOUT_MS counts as delivered; anything else is retried with exponential backoff.';

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/webhooks',
    {
      config: { scope: 'admin', audit: 'webhook.create' },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to events',
        description: `The signing secret is returned once, in this response. ${SIGNATURE_NOTE}`,
        security: [{ apiKey: [] }],
        body: CreateWebhookRequest,
        response: { 201: CreatedWebhook, ...commonProblems },
      },
    },
    async (request, reply) => {
      const { url, eventTypes, secret, description } = request.body;
      const created = await app.services.webhooks.subscribe({ url, eventTypes, secret, description, createdBy: actorOf(request) });
      // The id and types only: the URL may carry a token of the receiver's, and the secret is never logged.
      request.log.info({ webhookId: created.subscription.id, eventTypes: created.subscription.eventTypes }, 'webhook subscription created');
      auditTarget(request, created.subscription.id);
      noteAudit(request, { eventTypes: created.subscription.eventTypes });
      return reply.code(201).send({ ...toSubscriptionDto(created.subscription), secret: created.secret });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['webhooks'],
        summary: 'List webhook subscriptions (without their secrets)',
        security: [{ apiKey: [] }],
        querystring: PageQuery,
        response: { 200: pageOf(WebhookSubscription), ...commonProblems },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const page = await app.services.webhooks.list({ limit, offset });
      return { items: page.items.map(toSubscriptionDto), total: page.total, limit, offset };
    },
  );

  app.get(
    '/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['webhooks'],
        summary: 'Get a webhook subscription (without its secret)',
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        response: { 200: WebhookSubscription, ...commonProblems, 404: Problem },
      },
    },
    async (request) => toSubscriptionDto(await app.services.webhooks.get(request.params.id)),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { scope: 'admin', audit: 'webhook.delete' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook subscription with its deliveries (pending ones are not sent)',
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        response: { 204: z.null().describe('Deleted'), ...commonProblems, 404: Problem },
      },
    },
    async (request, reply) => {
      await app.services.webhooks.unsubscribe(request.params.id);
      request.log.info({ webhookId: request.params.id }, 'webhook subscription deleted');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['webhooks'],
        summary: "A subscription's deliveries, newest first, with their outcome",
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        querystring: DeliveryQuery,
        response: { 200: pageOf(WebhookDelivery), ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { limit, offset, status } = request.query;
      const page = await app.services.webhooks.deliveries(request.params.id, { status }, { limit, offset });
      return { items: page.items.map(toDeliveryDto), total: page.total, limit, offset };
    },
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { scope: 'admin', audit: 'webhook.redeliver' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again',
        description: 'Makes the delivery pending again, due now, with a fresh series of attempts (for example after the receiver was fixed).',
        security: [{ apiKey: [] }],
        params: DeliveryParams,
        response: { 202: WebhookDelivery, ...commonProblems, 404: Problem },
      },
    },
    async (request, reply) => {
      const delivery = await app.services.webhooks.redeliver(request.params.id, request.params.deliveryId);
      request.log.info({ webhookId: request.params.id, deliveryId: delivery.id }, 'webhook delivery requeued');
      noteAudit(request, { deliveryId: String(delivery.id) });
      return reply.code(202).send(toDeliveryDto(delivery));
    },
  );
};
