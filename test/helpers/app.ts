/**
 * buildTestApp: the real app on a fresh PostgreSQL database, with an admin key and helpers to call
 * it through inject. Tests build configuration objects directly instead of touching process.env.
 */
import { Writable } from 'node:stream';
import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Config } from '../../src/config.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import type { ApiKeyScope } from '../../src/domain/api-key.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase } from './database.ts';
import type { TestDatabase } from './database.ts';

export function testConfig(overrides: Partial<Config> = {}): Config {
  // Test apps take no background jobs unless a test asks (starting the queue costs each app a second).
  return { ...loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false', DEMO_ON_EMPTY: 'false', JOBS_WORKER: 'false' }), ...overrides };
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  config: Config;
  /** Authorization headers of a fresh admin key. */
  admin: { authorization: string };
  /** Log lines written while the app ran (when captured). */
  logLines: string[];
  keyWith(...scopes: ApiKeyScope[]): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * @param options.database another app's database, to run a second replica on it (closing this app
 *   leaves the database to its owner); default: a fresh database, dropped on close
 */
export async function buildTestApp(options: { config?: Partial<Config>; captureLogs?: boolean; database?: TestDatabase } = {}): Promise<TestApp> {
  const config = testConfig(options.config);
  const database = options.database ?? (await createTestDatabase());
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(...String(chunk).split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  const logger = createLogger(options.captureLogs ? { logLevel: 'trace' } : config, { destination });
  const app = await buildApp(config, { database: createPrismaClient({ url: database.url, poolSize: 4 }), databaseUrl: database.url, logger });
  await app.ready();
  const keyWith = async (...scopes: ApiKeyScope[]) => {
    const { key } = await app.services.apiKeys.create(`test ${scopes.join('+')}`, scopes);
    return { authorization: `Bearer ${key}` };
  };
  return {
    app,
    database,
    config,
    admin: await keyWith('admin'),
    logLines,
    keyWith,
    async close() {
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}
