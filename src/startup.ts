/**
 * Start-up sequence shared by `npm start` (src/server.ts) and the test of the default path:
 * database (DATABASE_URL, or the embedded PostgreSQL) → migrations → app → active models →
 * first API key → demo model on an empty database. Returns the app and a stop() that undoes it all.
 */
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import type { Config } from './config.ts';
import { createPrismaClient } from './db/client.ts';
import { startEmbeddedPostgres } from './db/embedded-postgres.ts';
import type { EmbeddedPostgres } from './db/embedded-postgres.ts';
import { applyMigrations } from './db/migrate.ts';

export interface RunningService {
  app: App;
  /** The admin key generated at this start (shown once), when the database had none. */
  generatedAdminKey: string | null;
  /** Closes the app (letting in-flight requests finish), then stops the embedded database if any. */
  stop(): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === null) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedPostgresDir,
      onLog: (message) => logger.debug({ source: 'embedded-postgres' }, message.trim()),
    });
    databaseUrl = embedded.url;
    logger.info({ dataDir: config.embeddedPostgresDir, port: embedded.port, startMs: Date.now() - started }, 'embedded PostgreSQL started (DATABASE_URL is not set)');
  }
  try {
    const migrations = await applyMigrations(databaseUrl);
    logger.info({ applied: migrations.applied, alreadyApplied: migrations.alreadyApplied.length }, 'database migrated');

    const database = createPrismaClient({ url: databaseUrl, poolSize: config.databasePoolSize });
    const app = await buildApp(config, { database, databaseUrl, logger });
    await app.ready();

    let generatedAdminKey: string | null = null;
    if (!config.authDisabled) {
      const first = await app.services.apiKeys.ensureFirstKey(config.bootstrapAdminKey);
      if (first?.isGenerated) generatedAdminKey = first.created.key;
      if (first) logger.info({ keyId: first.created.record.id }, 'created the first admin API key');
    } else {
      logger.warn('AUTH_DISABLED=true: every request is treated as an admin; use only for local demos');
    }
    if (config.demoOnEmpty) {
      const demo = await app.services.demo.seedIfEmpty();
      if (demo) logger.info({ datasetId: demo.datasetId, modelId: demo.model.id, model: demo.model.name }, 'empty database: loaded and activated the demo model');
    }
    return {
      app,
      generatedAdminKey,
      async stop() {
        await app.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
