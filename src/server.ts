/**
 * Process entry: configuration → start-up → listen; graceful shutdown on SIGINT/SIGTERM
 * (in-flight requests finish, the pool closes, the embedded PostgreSQL stops).
 */
import { createRequire } from 'node:module';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.ts';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { startService } from './startup.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Pretty logs for a person at a terminal (when pino-pretty is installed), JSON lines otherwise. */
function wantsPrettyLogs(): boolean {
  if (!process.stdout.isTTY) return false;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

const config = readConfig();
const logger = createLogger(config, { isPretty: wantsPrettyLogs() });
const service = await startService(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});

closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'shutting down after an error');
  else logger.info({ signal }, 'shutting down');
  await service.stop();
});

await service.app.listen({ port: config.port, host: config.host });
if (service.generatedAdminKey) {
  // Printed once, on the terminal only (never through the logger).
  process.stdout.write(
    `\n  First start: created an admin API key (shown only now):\n\n    ${service.generatedAdminKey}\n\n  Use it as: Authorization: Bearer <key>\n\n`,
  );
}
