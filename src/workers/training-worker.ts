/**
 * A training worker thread: its own database connections and the ordinary TrainingService; takes
 * one training at a time from the runner (training-runner.ts) and reports progress and the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKMeansPool, createSharedMatrix, fitKMeansParallel, lowerThreadPriority } from '../compute/index.ts';
import type { KMeansPool } from '../compute/index.ts';
import { createPrismaClient } from '../db/client.ts';
import { createDatasetRepository } from '../db/dataset.repo.ts';
import { createModelRepository } from '../db/model.repo.ts';
import { createPersonaRepository } from '../db/persona.repo.ts';
import { DomainError } from '../domain/errors.ts';
import { loadNamingRules } from '../services/persona-builder.ts';
import { TrainingService } from '../services/training.ts';
import type { TrainingProgress } from '../services/training.ts';
import type { TrainingWorkerCommand, TrainingWorkerData, TrainingWorkerMessage } from './training-runner.ts';

const { databaseUrl, poolSize, threads, nice, namingRuleFiles, llmNaming, fairness } = workerData as TrainingWorkerData;
// Training yields the CPU to the event loop that serves requests (see compute/priority.ts).
lowerThreadPriority(nice);
const database = createPrismaClient({ url: databaseUrl, poolSize });
// One long-lived pool: starting threads costs a few hundred milliseconds, so it is created on the
// first k-means fit and reused by every later one.
let kmeansPool: KMeansPool | null = null;
const training = new TrainingService(createDatasetRepository(database, databaseUrl), createModelRepository(database), createPersonaRepository(database), {
  kmeans: (x, options) => fitKMeansParallel(x, { ...options, pool: (kmeansPool ??= createKMeansPool({ threads, nice })) }),
  // Encoded customers go straight into shared memory: the parallel fit then needs no copy.
  allocateMatrix: threads > 1 ? (length) => createSharedMatrix(length, 1).data : undefined,
  namingRules: loadNamingRules(namingRuleFiles),
  llmNaming,
  fairness,
});
const port = parentPort!;
const send = (message: TrainingWorkerMessage) => port.postMessage(message);

// Commands are handled one after another: a close waits for the training in progress.
let queue: Promise<void> = Promise.resolve();
port.on('message', (command: TrainingWorkerCommand) => {
  queue = queue.then(() => handle(command));
});

async function handle(command: TrainingWorkerCommand): Promise<void> {
  if (command.type === 'close') {
    await kmeansPool?.close();
    await database.$disconnect();
    port.close();
    return;
  }
  try {
    const onProgress = (progress: TrainingProgress) => send({ type: 'progress', id: command.id, progress });
    const { job } = command;
    const model = job.kind === 'train' ? await training.train(job.request, onProgress, { jobId: job.jobId }) : await training.merge(job.request, onProgress);
    send({ type: 'done', id: command.id, model });
  } catch (error) {
    send({
      type: 'failed',
      id: command.id,
      error:
        error instanceof DomainError
          ? { problemType: error.type, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) }
          : { message: error instanceof Error ? error.message : String(error), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) },
    });
  }
}
