/**
 * Builds the repositories and services once and decorates `app.services`: the routes' only door to
 * the domain. Repositories are created here from the Prisma client and handed to services by constructor.
 */
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { createApiKeyRepository } from '../db/api-key.repo.ts';
import { createAuditRepository } from '../db/audit.repo.ts';
import { createAssignmentLogRepository } from '../db/assignment-log.repo.ts';
import type { Database } from '../db/client.ts';
import { createScheduleRepository } from '../db/schedule.repo.ts';
import { createJobQueue } from '../db/job-queue.ts';
import { createJobRepository } from '../db/job.repo.ts';
import { createDriftRepository } from '../db/drift.repo.ts';
import { createDatasetRepository } from '../db/dataset.repo.ts';
import { createHealthRepository } from '../db/health.repo.ts';
import { createModelChangeListener } from '../db/model-changes.ts';
import { createModelRepository } from '../db/model.repo.ts';
import { createPersonaRepository } from '../db/persona.repo.ts';
import { createRecommendationRepository } from '../db/recommendation.repo.ts';
import { createWebhookRepository } from '../db/webhook.repo.ts';
import { ApiKeyService } from '../services/api-keys.ts';
import { AuditTrailService } from '../services/audit-trail.ts';
import { AssignmentLogWriter } from '../services/assignment-log.ts';
import type { AssignmentLogLogger } from '../services/assignment-log.ts';
import { AssignmentService } from '../services/assignment.ts';
import { RecommendationService } from '../services/customer-recommendations.ts';
import { CustomerHistoryService } from '../services/customers.ts';
import { ScheduleService } from '../services/schedules.ts';
import { JobService } from '../services/jobs.ts';
import { DriftRecorder, DriftService } from '../services/drift.ts';
import { DatasetService } from '../services/datasets.ts';
import { DemoService } from '../services/demo.ts';
import { ModelExportService } from '../services/model-export.ts';
import { ModelMigrationService } from '../services/model-migration.ts';
import { HealthService } from '../services/health.ts';
import { ModelService } from '../services/models.ts';
import { personaChangedEvent, WebhookService } from '../services/webhooks.ts';
import { PersonaService } from '../services/personas.ts';
import { ModelRegistry } from '../services/registry.ts';
import { loadNamingRules } from '../services/persona-builder.ts';
import { InProcessTrainingRunner, TrainingService } from '../services/training.ts';
import type { TrainingRunner } from '../services/training.ts';
import { WorkerTrainingRunner } from '../workers/training-runner.ts';

export interface AppServices {
  apiKeys: ApiKeyService;
  /** The append-only, hash-chained record of admin actions. */
  auditTrail: AuditTrailService;
  assignment: AssignmentService;
  /** Records served assignments in the background (O(1) per call). */
  assignmentLog: AssignmentLogWriter;
  customers: CustomerHistoryService;
  datasets: DatasetService;
  /** Background trainings (POST /v1/models without wait). */
  jobs: JobService;
  /** Scheduled retraining; any serving replica fires due runs. */
  schedules: ScheduleService;
  models: ModelService;
  /** Customers of a dataset placed under two versions: the from → to matrix and who moved. */
  migration: ModelMigrationService;
  /** Customers of a dataset placed by one version, streamed as CSV or NDJSON. */
  modelExport: ModelExportService;
  personas: PersonaService;
  recommendations: RecommendationService;
  /** Counts /v1/assign traffic per feature bin (O(features) per call) and reports drift. */
  drift: DriftService;
  registry: ModelRegistry;
  /** Webhook subscriptions, the event publisher (an outbox write) and this replica's dispatcher. */
  webhooks: WebhookService;
  health: HealthService;
  demo: DemoService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

export interface ServiceDependencies {
  database: Database;
  /**
   * The database URL, for training workers (each opens its own connections) and the model-change
   * listener; null trains in-process and follows no other replica.
   */
  databaseUrl: string | null;
  /** Names this replica in its model-change announcements, so it skips its own. */
  replicaId?: string;
  /** Receives the assignment log's warnings and failed writes (none: they go unlogged). */
  logger?: AssignmentLogLogger;
}

/** Tools that never train (the OpenAPI export) build the app without a database URL. */
const NO_DATABASE_URL = 'postgresql://unavailable@127.0.0.1:1/unavailable';

export function createServices(config: Config, { database, databaseUrl, logger, replicaId }: ServiceDependencies): AppServices & { training: TrainingRunner } {
  const datasetRepository = createDatasetRepository(database, databaseUrl ?? NO_DATABASE_URL);
  const modelRepository = createModelRepository(database, { replicaId: replicaId ?? null });
  const personaRepository = createPersonaRepository(database, { replicaId: replicaId ?? null });
  const registry = new ModelRegistry(modelRepository, { defaultModelName: config.defaultModel });
  const datasets = new DatasetService(datasetRepository, { maxJsonDepth: config.maxJsonDepth });
  const namingRuleFiles = { vocabularyFile: config.namingVocabularyFile, strategyRulesFile: config.strategyRulesFile };
  // Loaded here too, so an invalid file stops the service at start rather than failing every training.
  const namingRules = loadNamingRules(namingRuleFiles);
  const training: TrainingRunner =
    databaseUrl === null
      ? new InProcessTrainingRunner(new TrainingService(datasetRepository, modelRepository, personaRepository, { namingRules, llmNaming: config.llmNaming, fairness: config.fairness }))
      : new WorkerTrainingRunner(
          { databaseUrl, poolSize: 2, threads: config.trainingThreads, nice: config.trainingNice, namingRuleFiles, llmNaming: config.llmNaming, fairness: config.fairness },
          config.trainingConcurrency,
        );
  const auditTrail = new AuditTrailService(createAuditRepository(database), { log: logger });
  const webhooks = new WebhookService(createWebhookRepository(database), config.webhooks, { logger });
  const models = new ModelService(modelRepository, personaRepository, registry, training, webhooks, { governanceMode: config.governanceMode });
  const jobs = new JobService(
    {
      jobs: createJobRepository(database),
      queue: databaseUrl === null ? null : createJobQueue({ url: databaseUrl, heartbeatSeconds: config.jobs.heartbeatSeconds, pollingIntervalSeconds: config.jobs.pollSeconds }),
      models,
      modelRepository,
      datasets: datasetRepository,
    },
    { events: webhooks, audit: auditTrail, ...(logger ? { log: logger } : {}) },
  );
  const assignmentLogRepository = createAssignmentLogRepository(database);
  const assignment = new AssignmentService(registry);
  const driftRepository = createDriftRepository(database);
  return {
    apiKeys: new ApiKeyService(createApiKeyRepository(database)),
    auditTrail,
    assignment,
    assignmentLog: new AssignmentLogWriter(assignmentLogRepository, config.assignmentLog, {
      logger,
      personaChanges: { log: assignmentLogRepository, onChanges: (changes) => webhooks.publish(...changes.map(personaChangedEvent)) },
    }),
    customers: new CustomerHistoryService(assignmentLogRepository),
    datasets,
    jobs,
    schedules: new ScheduleService(createScheduleRepository(database), jobs, { audit: auditTrail, ...(logger ? { log: logger } : {}) }),
    models,
    migration: new ModelMigrationService(registry, modelRepository, personaRepository, datasetRepository),
    modelExport: new ModelExportService(registry, modelRepository, datasetRepository),
    personas: new PersonaService(personaRepository, registry),
    recommendations: new RecommendationService(assignment, createRecommendationRepository(database)),
    drift: new DriftService(
      driftRepository,
      registry,
      new DriftRecorder(driftRepository, { onError: (error) => logger?.error({ err: error }, 'drift counts could not be written, or checked for an alert') }),
      { events: webhooks },
    ),
    registry,
    webhooks,
    health: new HealthService(createHealthRepository(database), registry),
    demo: new DemoService(datasets, models),
    training,
  };
}

export const servicesPlugin = fp<{ config: Config; followsModelChanges: boolean } & ServiceDependencies>(
  async (app, { config, database, databaseUrl, followsModelChanges }) => {
    const replicaId = randomUUID();
    const { training, ...services } = createServices(config, { database, databaseUrl, logger: app.log, replicaId });
    app.decorate('services', services);
    if (followsModelChanges) {
      // Follows model changes other replicas make: LISTEN/NOTIFY at once, a periodic check as fallback.
      const feed =
        databaseUrl === null
          ? null
          : createModelChangeListener({ url: config.modelChangesDatabaseUrl ?? databaseUrl, replicaId, log: app.log.child({ component: 'model-changes' }) });
      // onReady runs this before app.ts loads the active models; the first sync is shared.
      app.addHook('onReady', async () => services.registry.follow(feed, { intervalMs: config.modelSyncIntervalMs, log: app.log }));
      app.addHook('onClose', async () => {
        await services.registry.stopFollowing();
        await feed?.close();
      });
    }
    if (followsModelChanges && config.jobs.isWorker) {
      // Serving replicas take background trainings; tools never do.
      app.addHook('onReady', async () => services.jobs.start(config.trainingConcurrency));
    }
    if (followsModelChanges) {
      app.addHook('onReady', async () => services.schedules.start(config.scheduleCheckSeconds * 1000));
      app.addHook('onClose', async () => services.schedules.stop());
    }
    // Stop taking jobs, then let trainings finish or stop, before the database client disconnects
    // (app.ts), so a finishing training can still save.
    app.addHook('onClose', async () => {
      await services.jobs.stop();
      await training.close();
    });
    // Likewise: assignments still waiting are written before the client disconnects.
    app.addHook('onClose', async () => services.assignmentLog.close());
    if (followsModelChanges) {
      // Tools that serve nothing send no webhooks either; what they publish waits for a serving replica.
      app.addHook('onReady', async () => services.webhooks.start());
    }
    // After the assignment log's last write (which may publish), before the database client disconnects.
    app.addHook('onClose', async () => services.webhooks.stop());
    app.addHook('onClose', async () => services.drift.recorder.close().catch((error: unknown) => app.log.error({ err: error }, 'drift counts could not be written')));
  },
  { name: 'services' },
);
