/**
 * Builds the repositories and services once and decorates `app.services`: the routes' only door to
 * the domain. Repositories are created here from the Prisma client and handed to services by constructor.
 */
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { createApiKeyRepository } from '../db/api-key.repo.ts';
import { createAssignmentLogRepository } from '../db/assignment-log.repo.ts';
import type { Database } from '../db/client.ts';
import { createDatasetRepository } from '../db/dataset.repo.ts';
import { createHealthRepository } from '../db/health.repo.ts';
import { createModelChangeListener } from '../db/model-changes.ts';
import { createModelRepository } from '../db/model.repo.ts';
import { createPersonaRepository } from '../db/persona.repo.ts';
import { createRecommendationRepository } from '../db/recommendation.repo.ts';
import { ApiKeyService } from '../services/api-keys.ts';
import { AssignmentLogWriter } from '../services/assignment-log.ts';
import type { AssignmentLogLogger } from '../services/assignment-log.ts';
import { AssignmentService } from '../services/assignment.ts';
import { RecommendationService } from '../services/customer-recommendations.ts';
import { CustomerHistoryService } from '../services/customers.ts';
import { DatasetService } from '../services/datasets.ts';
import { DemoService } from '../services/demo.ts';
import { HealthService } from '../services/health.ts';
import { ModelService } from '../services/models.ts';
import { PersonaService } from '../services/personas.ts';
import { ModelRegistry } from '../services/registry.ts';
import { loadNamingRules } from '../services/persona-builder.ts';
import { InProcessTrainingRunner, TrainingService } from '../services/training.ts';
import type { TrainingRunner } from '../services/training.ts';
import { WorkerTrainingRunner } from '../workers/training-runner.ts';

export interface AppServices {
  apiKeys: ApiKeyService;
  assignment: AssignmentService;
  /** Records served assignments in the background (O(1) per call). */
  assignmentLog: AssignmentLogWriter;
  customers: CustomerHistoryService;
  datasets: DatasetService;
  models: ModelService;
  personas: PersonaService;
  recommendations: RecommendationService;
  registry: ModelRegistry;
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
      ? new InProcessTrainingRunner(new TrainingService(datasetRepository, modelRepository, personaRepository, { namingRules, llmNaming: config.llmNaming }))
      : new WorkerTrainingRunner(
          { databaseUrl, poolSize: 2, threads: config.trainingThreads, nice: config.trainingNice, namingRuleFiles, llmNaming: config.llmNaming },
          config.trainingConcurrency,
        );
  const models = new ModelService(modelRepository, personaRepository, registry, training);
  const assignmentLogRepository = createAssignmentLogRepository(database);
  const assignment = new AssignmentService(registry);
  return {
    apiKeys: new ApiKeyService(createApiKeyRepository(database)),
    assignment,
    assignmentLog: new AssignmentLogWriter(assignmentLogRepository, config.assignmentLog, { logger }),
    customers: new CustomerHistoryService(assignmentLogRepository),
    datasets,
    models,
    personas: new PersonaService(personaRepository, registry),
    recommendations: new RecommendationService(assignment, createRecommendationRepository(database)),
    registry,
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
    // Before the database client disconnects (app.ts), so a finishing training can still save.
    app.addHook('onClose', async () => training.close());
    // Likewise: assignments still waiting are written before the client disconnects.
    app.addHook('onClose', async () => services.assignmentLog.close());
  },
  { name: 'services' },
);
