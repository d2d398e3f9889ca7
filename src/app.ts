/**
 * buildApp(config, deps) → a Fastify instance with every plugin and route registered; it never
 * listens (src/server.ts does), so tests inject requests into it. Registration order is the
 * architecture: cross-cutting plugins, then the domain's services, then routes.
 */
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import type { FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { DomainError } from './domain/errors.ts';
import { authPlugin } from './plugins/auth.ts';
import { bodyParsersPlugin } from './plugins/body-parsers.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { openApiPlugin } from './plugins/openapi.ts';
import { problemsPlugin } from './plugins/problems.ts';
import { servicesPlugin } from './plugins/services.ts';
import { healthRoutes } from './routes/health.ts';
import { operationsRoutes } from './routes/operations.ts';
import { assignRoutes } from './routes/v1/assign.ts';
import { customerRoutes } from './routes/v1/customers.ts';
import { datasetRoutes } from './routes/v1/datasets.ts';
import { keyRoutes } from './routes/v1/keys.ts';
import { modelRoutes } from './routes/v1/models.ts';
import { personaRoutes } from './routes/v1/personas.ts';
import { recommendationRoutes } from './routes/v1/recommendations.ts';

export interface AppDependencies {
  database: Database;
  /** URL of the same database, for training worker threads (null: train in-process). */
  databaseUrl: string | null;
  logger: Logger;
  /** Load the active models when the app becomes ready (off only for tools that never serve). */
  loadModelsOnReady?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is a plain token; otherwise the service makes one. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(config: Config, deps: AppDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: requestId,
    bodyLimit: config.bodyLimitBytes,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Graceful shutdown: responses of requests still in flight close their connection, so a client's
  // keep-alive socket does not hold the shutdown open until its timeout.
  let isClosing = false;
  app.addHook('preClose', async () => {
    isClosing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (isClosing) reply.header('connection', 'close');
  });

  await app.register(problemsPlugin);
  await app.register(helmet, {
    // Swagger UI at /docs needs inline styles and scripts of its own.
    contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
  });
  await app.register(bodyParsersPlugin, { maxJsonDepth: config.maxJsonDepth });
  await app.register(servicesPlugin, { config, database: deps.database, databaseUrl: deps.databaseUrl, followsModelChanges: deps.loadModelsOnReady !== false });
  await app.register(metricsPlugin);
  await app.register(authPlugin, { isDisabled: config.authDisabled });
  if (config.rateLimit.enabled) {
    await app.register(rateLimit, {
      global: true,
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.windowMs,
      // After authentication, so the limit applies per API key (per client address when there is none).
      hook: 'preHandler',
      keyGenerator: (request: FastifyRequest) => (request.principal?.keyId ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) =>
        new DomainError('rate-limited', `rate limit of ${context.max} requests per ${Math.round(config.rateLimit.windowMs / 1000)} s exceeded; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`),
    });
  }
  await app.register(openApiPlugin);

  await app.register(healthRoutes);
  await app.register(operationsRoutes);
  await app.register(
    async (v1) => {
      await v1.register(assignRoutes);
      await v1.register(personaRoutes);
      await v1.register(recommendationRoutes);
      await v1.register(customerRoutes);
      await v1.register(modelRoutes);
      await v1.register(datasetRoutes, { uploadLimitBytes: config.uploadLimitBytes });
      await v1.register(keyRoutes);
    },
    { prefix: '/v1' },
  );

  if (deps.loadModelsOnReady !== false) {
    app.addHook('onReady', async () => {
      await app.services.registry.loadActive();
    });
  }
  app.addHook('onClose', async () => {
    await deps.database.$disconnect();
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
