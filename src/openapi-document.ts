/**
 * The OpenAPI document as YAML, rendered from an app that is built but never connected or started
 * (the Prisma client connects lazily), for `npm run openapi` and the test that compares it with
 * the committed openapi.yaml.
 */
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createPrismaClient } from './db/client.ts';
import { createLogger } from './logger.ts';

export async function renderOpenApiYaml(): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const app = await buildApp(config, {
    database: createPrismaClient({ url: 'postgresql://unused@127.0.0.1:1/unused', poolSize: 1 }),
    databaseUrl: null,
    logger: createLogger(config),
    loadModelsOnReady: false,
  });
  try {
    await app.ready();
    return app.swagger({ yaml: true });
  } finally {
    await app.close();
  }
}
