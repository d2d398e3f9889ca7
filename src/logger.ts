/**
 * The service's pino logger. Requests log their method, route pattern and id — never the raw URL,
 * query string, headers or body, which can carry customer data or keys. `redact` is a safety net.
 */
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.ts';

interface LoggedRequest {
  id: string;
  method: string;
  routeOptions?: { url?: string };
}

export function createLogger(config: Pick<Config, 'logLevel'>, options: { destination?: DestinationStream; isPretty?: boolean } = {}): Logger {
  const settings: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', '*.apiKey', '*.key', '*.password', '*.databaseUrl'], censor: '[redacted]' },
    serializers: {
      req: (request: LoggedRequest) => ({ id: request.id, method: request.method, route: request.routeOptions?.url ?? 'unmatched' }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
  if (options.isPretty) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
