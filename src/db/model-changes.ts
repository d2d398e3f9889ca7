/**
 * Model changes between replicas over PostgreSQL LISTEN/NOTIFY. Writers announce a change inside
 * their own transaction (`announceModelChange`): PostgreSQL delivers a NOTIFY only when the
 * transaction commits, so no replica hears of a change before it can read it, and a rolled-back
 * change is never announced. Each replica listens on one dedicated connection
 * (`createModelChangeListener`), because LISTEN belongs to a session, not to a pooled query.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ModelChange, ModelChangeFeed } from '../domain/repositories.ts';
import type { Prisma } from './generated/client.ts';

export const MODEL_CHANGES_CHANNEL = 'persona_model_changes';
/** Shown in pg_stat_activity, so operators (and the reconnect test) can find the listening sessions. */
export const MODEL_CHANGES_APPLICATION_NAME = 'persona-service model-changes';

const ModelChangePayload = z.object({
  kind: z.enum(['activated', 'edited', 'deleted', 'alias']),
  modelId: z.string(),
  replica: z.string().nullable(),
});

/** Queues the announcement in the caller's transaction; it is sent if and when that transaction commits. */
export async function announceModelChange(tx: Prisma.TransactionClient, change: ModelChange): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${MODEL_CHANGES_CHANNEL}, ${JSON.stringify(change)})`;
}

export interface ModelChangeListenerOptions {
  /** A session-mode connection: PgBouncer in transaction mode does not keep LISTEN registrations. */
  url: string;
  /** This replica's id: its own announcements are skipped (it applied those changes already). */
  replicaId: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** First reconnection delay, doubled after each failure up to `maxRetryDelayMs`. */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

type Listener = Parameters<ModelChangeFeed['subscribe']>[0];

/**
 * Listens on a dedicated connection, opened at once in the background; after an error or a lost
 * connection it reconnects with exponential backoff and, once listening again, asks subscribers to
 * resynchronize, since changes committed meanwhile were not delivered.
 */
export function createModelChangeListener(options: ModelChangeListenerOptions): ModelChangeFeed {
  const initialRetryDelayMs = options.initialRetryDelayMs ?? 100;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
  const listeners = new Set<Listener>();
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let isClosed = false;

  function deliver(message: pg.Notification): void {
    if (message.channel !== MODEL_CHANGES_CHANNEL) return;
    let change: ModelChange;
    try {
      change = ModelChangePayload.parse(JSON.parse(message.payload ?? ''));
    } catch {
      // Something changed, but we cannot tell what: a full check finds it.
      options.log.warn({ channel: message.channel }, 'unreadable model change announcement; resynchronizing');
      for (const listener of listeners) listener.onResync();
      return;
    }
    if (change.replica === options.replicaId) return;
    for (const listener of listeners) listener.onChange(change);
  }

  function handleLoss(lost: pg.Client, err: unknown): void {
    if (client !== lost) return; // 'error' and 'end' both report one loss
    client = null;
    lost.end().catch(() => {});
    if (isClosed) return;
    const retryInMs = Math.min(maxRetryDelayMs, initialRetryDelayMs * 2 ** failures);
    failures++;
    options.log.warn({ err, retryInMs }, 'model change listener disconnected; reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, retryInMs);
    retryTimer.unref();
  }

  async function connect(): Promise<void> {
    const candidate = new pg.Client({
      connectionString: options.url,
      application_name: MODEL_CHANGES_APPLICATION_NAME,
      // A half-open connection (a peer that vanished without a reset) is found by TCP keep-alive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5_000,
    });
    client = candidate;
    candidate.on('notification', deliver);
    // pg emits 'error' for a lost connection; without a handler it would crash the process.
    candidate.on('error', (err) => handleLoss(candidate, err));
    candidate.on('end', () => handleLoss(candidate, null));
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${MODEL_CHANGES_CHANNEL}`);
    } catch (err) {
      handleLoss(candidate, err);
      return;
    }
    if (client !== candidate) return;
    if (isClosed) {
      await candidate.end().catch(() => {});
      return;
    }
    if (failures > 0) options.log.info({ afterFailures: failures }, 'model change listener reconnected');
    failures = 0;
    for (const listener of listeners) listener.onResync();
  }

  void connect();

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      isClosed = true;
      listeners.clear();
      if (retryTimer) clearTimeout(retryTimer);
      const open = client;
      client = null;
      await open?.end().catch(() => {});
    },
  };
}
