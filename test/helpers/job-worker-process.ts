/**
 * A replica that only works on background trainings, in its own process so a test can kill it
 * mid-training (SIGKILL: no shutdown, no last words). Prints "ready" once it takes jobs.
 *
 *   node test/helpers/job-worker-process.ts <database url>
 */
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';

const url = process.argv[2]!;
const config = { ...loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false', DEMO_ON_EMPTY: 'false' }), jobs: { isWorker: true, heartbeatSeconds: 10, pollSeconds: 0.5 } };
const app = await buildApp(config, { database: createPrismaClient({ url, poolSize: 2 }), databaseUrl: url, logger: createLogger(config) });
await app.ready();
process.stdout.write('ready\n');
