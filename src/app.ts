/**
 * buildApp(config, deps) → a Fastify instance with every plugin and route registered; it never
 * listens (src/server.ts does), so tests inject requests into it. Registration order is the
 * architecture: cross-cutting plugins, then the domain's services, then routes.
 */
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { DomainError } from './domain/errors.ts';
import { auditTrailPlugin } from './plugins/audit-trail.ts';
import { authPlugin } from './plugins/auth.ts';
import { boardPlugin } from './plugins/board.ts';
import { bodyParsersPlugin } from './plugins/body-parsers.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { openApiPlugin } from './plugins/openapi.ts';
import { problemsPlugin } from './plugins/problems.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { servicesPlugin } from './plugins/services.ts';
import { healthRoutes } from './routes/health.ts';
import { operationsRoutes } from './routes/operations.ts';
import { assignRoutes } from './routes/v1/assign.ts';
import { customerRoutes } from './routes/v1/customers.ts';
import { datasetRoutes } from './routes/v1/datasets.ts';
import { keyRoutes } from './routes/v1/keys.ts';
import { jobRoutes } from './routes/v1/jobs.ts';
import { scheduleRoutes } from './routes/v1/schedules.ts';
import { modelRoutes } from './routes/v1/models.ts';
import { modelDriftRoutes } from './routes/v1/model-drift.ts';
import { modelExportRoutes } from './routes/v1/model-export.ts';
import { modelHistoryRoutes } from './routes/v1/model-history.ts';
import { modelMigrationRoutes } from './routes/v1/model-migration.ts';
import { personaRoutes } from './routes/v1/personas.ts';
import { recommendationRoutes } from './routes/v1/recommendations.ts';
import { webhookRoutes } from './routes/v1/webhooks.ts';
import { auditRoutes } from './routes/v1/audit.ts';

export interface AppDependencies {
  database: Database;
  /** URL of the same database, for training worker threads (null: train in-process). */
  databaseUrl: string | null;
  logger: Logger;
  /** Load the active models when the app becomes ready (off only for tools that never serve). */
  loadModelsOnReady?: boolean;
}

/** A request slower than this is logged at info even when it succeeded. */
export const SLOW_REQUEST_MS = 1_000;

/**
 * One access-log line per request: failures (4xx at info, 5xx at error) and slow requests always;
 * fast successes only at debug, so /v1/assign at thousands of requests per second does not spend its
 * time writing logs (LOG_LEVEL=debug logs every request, and its arrival).
 */
class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const responseTime = reply.elapsedTime;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored');
      return;
    }
    const level = status >= 500 ? 'error' : status >= 400 || responseTime > SLOW_REQUEST_MS ? 'info' : 'debug';
    // A disabled level is a no-op in pino: nothing is serialized or written.
    reply.log[level]({ req: request, res: reply, responseTime }, 'request completed');
  }
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
    logController: new AccessLog(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A callback hook (not async): no promise per request on the hot path. Security headers are set by securityHeadersPlugin.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // Graceful shutdown: responses of requests still in flight close their connection, so a client's
  // keep-alive socket does not hold the shutdown open until its timeout.
  let isClosing = false;
  app.addHook('preClose', async () => {
    isClosing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (isClosing) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(problemsPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(bodyParsersPlugin, { maxJsonDepth: config.maxJsonDepth });
  await app.register(servicesPlugin, { config, database: deps.database, databaseUrl: deps.databaseUrl, followsModelChanges: deps.loadModelsOnReady !== false });
  await app.register(metricsPlugin);
  await app.register(authPlugin, { isDisabled: config.authDisabled });
  // Before the routes: it adds its recording hook to each route that names an audit action.
  await app.register(auditTrailPlugin);
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
  // The persona board at / (a static page over the /v1 API), with its own content security policy.
  await app.register(boardPlugin);
  await app.register(
    async (v1) => {
      await v1.register(assignRoutes);
      await v1.register(personaRoutes);
      await v1.register(recommendationRoutes);
      await v1.register(customerRoutes);
      await v1.register(modelRoutes);
      await v1.register(jobRoutes);
      await v1.register(scheduleRoutes);
      await v1.register(modelDriftRoutes);
      await v1.register(modelExportRoutes);
      await v1.register(modelHistoryRoutes);
      await v1.register(modelMigrationRoutes);
      await v1.register(datasetRoutes, { uploadLimitBytes: config.uploadLimitBytes });
      await v1.register(keyRoutes);
      await v1.register(webhookRoutes);
      await v1.register(auditRoutes);
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
