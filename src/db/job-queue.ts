/**
 * The queue of background trainings, on pg-boss (its tables live in the `pgboss` schema of the same
 * database). pg-boss hands each job to one replica (SKIP LOCKED), and the worker's heartbeats tell
 * it the job is alive: when a replica dies mid-training, its heartbeats stop and after
 * `heartbeatSeconds` the job is failed and retried once, on whichever replica takes it next.
 */
import { PgBoss } from 'pg-boss';
import type { JobQueue } from '../domain/repositories.ts';

export const TRAINING_QUEUE = 'persona-training';

export interface JobQueueOptions {
  url: string;
  /** Seconds without a heartbeat after which a job's replica is taken for dead (at least 10). */
  heartbeatSeconds: number;
  /** How often an idle replica looks for jobs (pg-boss also wakes workers by LISTEN/NOTIFY). */
  pollingIntervalSeconds: number;
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  let started: Promise<PgBoss> | null = null;
  // Started on first use: a replica that neither submits nor works on jobs opens no connections for them.
  const boss = () =>
    (started ??= (async () => {
      // Dead replicas are looked for twice per heartbeat period (pg-boss's default is once a minute).
      const checkSeconds = Math.max(1, Math.floor(options.heartbeatSeconds / 2));
      const instance = new PgBoss({ connectionString: options.url, schema: 'pgboss', max: 3, superviseIntervalSeconds: checkSeconds, monitorIntervalSeconds: checkSeconds });
      instance.on('error', () => {});
      await instance.start();
      await instance.createQueue(TRAINING_QUEUE, { retryLimit: 1, retryDelay: 0, heartbeatSeconds: options.heartbeatSeconds, expireInSeconds: 24 * 3600 });
      return instance;
    })());
  return {
    async enqueue(jobId) {
      await (await boss()).send(TRAINING_QUEUE, { jobId }, { id: jobId });
    },
    async work(handler, concurrency) {
      await (
        await boss()
      ).work<{ jobId: string }>(TRAINING_QUEUE, { localConcurrency: concurrency, batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds }, async ([job]) => {
        await handler(job!.data.jobId);
      });
    },
    async cancel(jobId) {
      await (await boss()).cancel(TRAINING_QUEUE, jobId);
    },
    async stop() {
      if (!started) return;
      const instance = await started;
      // A later enqueue or work starts a fresh instance.
      started = null;
      await instance.stop({ graceful: false, timeout: 5_000 });
    },
  };
}
