/**
 * Runs trainings in worker threads, so the CPU work (loading and encoding customers, fitting,
 * scoring) never blocks the event loop that serves /v1/assign. Each worker has its own database
 * connections and runs the ordinary TrainingService; at most `concurrency` trainings run at once
 * per replica, the rest wait in order.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DomainError, JobCancelledError } from '../domain/errors.ts';
import type { FieldIssue, ProblemType } from '../domain/errors.ts';
import type { ModelSummary } from '../domain/model.ts';
import type { LlmNamingOptions } from '../services/llm-naming.ts';
import type { NamingRuleFiles } from '../services/persona-builder.ts';
import type { FairnessOptions, MergeRequest, TrainingProgress, TrainingRequest, TrainingRunner, TrainingRunOptions } from '../services/training.ts';

export interface TrainingWorkerData {
  databaseUrl: string;
  /** Database connections of each worker. */
  poolSize: number;
  /** Threads a k-means fit may use (1: the training thread alone). */
  threads: number;
  /** Nice value of the training threads (TRAINING_NICE). */
  nice: number;
  /** The operator's naming and strategy files, loaded by each worker. */
  namingRuleFiles: NamingRuleFiles;
  llmNaming: LlmNamingOptions | null;
  /** Fairness audit thresholds and high-cost product ids (FAIRNESS_… settings). */
  fairness: FairnessOptions;
}

/** Messages from a worker. */
export type TrainingWorkerMessage =
  | { type: 'progress'; id: number; progress: TrainingProgress }
  | { type: 'done'; id: number; model: ModelSummary }
  | { type: 'failed'; id: number; error: { problemType: ProblemType; detail: string; errors?: readonly FieldIssue[] } | { message: string; stack?: string } };

/** What a worker runs: a training, or a merge of personas (a re-fit too). */
export type TrainingJob = { kind: 'train'; request: TrainingRequest; jobId?: string | undefined } | { kind: 'merge'; request: MergeRequest };

/** Messages to a worker. */
export type TrainingWorkerCommand = { type: 'run'; id: number; job: TrainingJob } | { type: 'close' };

interface Pending {
  id: number;
  job: TrainingJob;
  /** Set when the caller aborted: the worker is stopped and the run rejects with JobCancelledError. */
  isCancelled?: boolean;
  onProgress: ((progress: TrainingProgress) => void) | undefined;
  resolve: (model: ModelSummary) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

/** The worker script beside this file, with this file's extension (.ts from source, .js when built). */
const WORKER_URL = new URL(`./training-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export class WorkerTrainingRunner implements TrainingRunner {
  private readonly data: TrainingWorkerData;
  private readonly concurrency: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private isClosed = false;

  constructor(data: TrainingWorkerData, concurrency: number) {
    this.data = data;
    this.concurrency = concurrency;
  }

  train(request: TrainingRequest, onProgress?: (progress: TrainingProgress) => void, options: TrainingRunOptions = {}): Promise<ModelSummary> {
    return this.submit({ kind: 'train', request, jobId: options.jobId }, onProgress, options.signal);
  }

  merge(request: MergeRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelSummary> {
    return this.submit({ kind: 'merge', request }, onProgress);
  }

  private submit(job: TrainingJob, onProgress: ((progress: TrainingProgress) => void) | undefined, signal?: AbortSignal): Promise<ModelSummary> {
    if (this.isClosed) return Promise.reject(new DomainError('service-unavailable', 'the service is shutting down; retry on another replica'));
    if (signal?.aborted) return Promise.reject(new JobCancelledError());
    return new Promise((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, job, onProgress, resolve, reject };
      this.queue.push(pending);
      signal?.addEventListener('abort', () => this.cancel(pending), { once: true });
      this.dispatch();
    });
  }

  /** A queued run is dropped; a running one's worker thread is stopped (a fit cannot be interrupted otherwise). */
  private cancel(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      pending.reject(new JobCancelledError());
      return;
    }
    const slot = this.slots.find((candidate) => candidate.busy === pending);
    if (!slot) return;
    pending.isCancelled = true;
    void slot.worker.terminate();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new DomainError('service-unavailable', 'the service shut down before this training started'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const exited = new Promise((resolve) => slot.worker.once('exit', resolve));
        slot.worker.postMessage({ type: 'close' } satisfies TrainingWorkerCommand);
        // A worker that does not exit promptly (stuck in a fit) is stopped.
        const timer = setTimeout(() => void slot.worker.terminate(), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((candidate) => candidate.busy === null) ?? this.startSlot();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.worker.postMessage({ type: 'run', id: pending.id, job: pending.job } satisfies TrainingWorkerCommand);
    }
  }

  private startSlot(): Slot | null {
    if (this.slots.length >= this.concurrency) return null;
    const worker = new Worker(WORKER_URL, { workerData: this.data });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (message: TrainingWorkerMessage) => this.handle(slot, message));
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', (code) => {
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (slot.busy) this.fail(slot, new Error(`training worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private handle(slot: Slot, message: TrainingWorkerMessage): void {
    const pending = slot.busy;
    if (!pending || pending.id !== message.id) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    slot.busy = null;
    if (message.type === 'done') pending.resolve(message.model);
    else pending.reject(toError(message.error));
    this.dispatch();
  }

  private fail(slot: Slot, error: Error): void {
    const pending = slot.busy;
    slot.busy = null;
    pending?.reject(pending.isCancelled ? new JobCancelledError() : error);
    this.dispatch();
  }
}

function toError(error: Extract<TrainingWorkerMessage, { type: 'failed' }>['error']): Error {
  if ('problemType' in error) return new DomainError(error.problemType, error.detail, error.errors);
  const failure = new Error(error.message);
  if (error.stack) failure.stack = error.stack;
  return failure;
}
