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
import { TrainingService } from '../services/training.ts';

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

export function createServices(config: Config, database: Database): AppServices {
  const datasetRepository = createDatasetRepository(database);
  const modelRepository = createModelRepository(database);
  const personaRepository = createPersonaRepository(database);
  const registry = new ModelRegistry(modelRepository, { defaultModelName: config.defaultModel });
  const datasets = new DatasetService(datasetRepository, { maxJsonDepth: config.maxJsonDepth });
  const models = new ModelService(modelRepository, personaRepository, registry, new TrainingService(datasetRepository, modelRepository));
  return {
    apiKeys: new ApiKeyService(createApiKeyRepository(database)),
    assignment: new AssignmentService(registry),
    datasets,
    models,
    personas: new PersonaService(personaRepository, registry),
    registry,
    health: new HealthService(createHealthRepository(database), registry),
    demo: new DemoService(datasets, models),
  };
}

export const servicesPlugin = fp<{ config: Config; database: Database }>(
  async (app, { config, database }) => {
    app.decorate('services', createServices(config, database));
  },
  { name: 'services' },
);
