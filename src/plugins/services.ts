/**
 * Builds the repositories and services once and decorates `app.services`: the routes' only door to
 * the domain. Repositories are created here from the Prisma client and handed to services by constructor.
 */
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { createApiKeyRepository } from '../db/api-key.repo.ts';
import type { Database } from '../db/client.ts';
import { createDatasetRepository } from '../db/dataset.repo.ts';
import { createHealthRepository } from '../db/health.repo.ts';
import { createModelRepository } from '../db/model.repo.ts';
import { createPersonaRepository } from '../db/persona.repo.ts';
import { ApiKeyService } from '../services/api-keys.ts';
import { AssignmentService } from '../services/assignment.ts';
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
  datasets: DatasetService;
  models: ModelService;
  personas: PersonaService;
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
  /** The database URL, for training workers (each opens its own connections); null trains in-process. */
  databaseUrl: string | null;
}

/** Tools that never train (the OpenAPI export) build the app without a database URL. */
const NO_DATABASE_URL = 'postgresql://unavailable@127.0.0.1:1/unavailable';

export function createServices(config: Config, { database, databaseUrl }: ServiceDependencies): AppServices & { training: TrainingRunner } {
  const datasetRepository = createDatasetRepository(database, databaseUrl ?? NO_DATABASE_URL);
  const modelRepository = createModelRepository(database);
  const personaRepository = createPersonaRepository(database);
  const registry = new ModelRegistry(modelRepository, { defaultModelName: config.defaultModel });
  const datasets = new DatasetService(datasetRepository, { maxJsonDepth: config.maxJsonDepth });
  const namingRuleFiles = { vocabularyFile: config.namingVocabularyFile, strategyRulesFile: config.strategyRulesFile };
  // Loaded here too, so an invalid file stops the service at start rather than failing every training.
  const namingRules = loadNamingRules(namingRuleFiles);
  const training: TrainingRunner =
    databaseUrl === null
      ? new InProcessTrainingRunner(new TrainingService(datasetRepository, modelRepository, personaRepository, { namingRules, llmNaming: config.llmNaming }))
      : new WorkerTrainingRunner(
          { databaseUrl, poolSize: 2, threads: config.trainingThreads, namingRuleFiles, llmNaming: config.llmNaming },
          config.trainingConcurrency,
        );
  const models = new ModelService(modelRepository, personaRepository, registry, training);
  return {
    apiKeys: new ApiKeyService(createApiKeyRepository(database)),
    assignment: new AssignmentService(registry),
    datasets,
    models,
    personas: new PersonaService(personaRepository, registry),
    registry,
    health: new HealthService(createHealthRepository(database), registry),
    demo: new DemoService(datasets, models),
    training,
  };
}

export const servicesPlugin = fp<{ config: Config } & ServiceDependencies>(
  async (app, { config, database, databaseUrl }) => {
    const { training, ...services } = createServices(config, { database, databaseUrl });
    app.decorate('services', services);
    // Before the database client disconnects (app.ts), so a finishing training can still save.
    app.addHook('onClose', async () => training.close());
  },
  { name: 'services' },
);
