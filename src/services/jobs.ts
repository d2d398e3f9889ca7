/**
 * Background trainings. `POST /v1/models` stores a job and queues it (JobQueue: pg-boss, so any
 * replica may take it) and answers at once; the replica that takes it trains in a worker thread
 * (TRAINING_CONCURRENCY at a time), reports phase and progress on the job about once a second, and
 * stores the model and the job's completion in one transaction (NewModel.jobId), so no half model is
 * ever visible and a job never yields two models.
 *
 * Failures: a request that cannot be trained (unknown columns, too few customers…) fails at once,
 * since a retry would fail the same way; an unexpected error, or the replica dying mid-training (its
 * queue heartbeats stop), is retried once, on whichever replica takes the job next. A cancelled job
 * stops where it is: a queued one at once, a running one at its next progress report (its worker
 * thread is stopped).
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, DomainError, JobCancelledError, NotFoundError, problemDocument } from '../domain/errors.ts';
import { NO_EVENTS } from '../domain/events.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { JobRecord } from '../domain/jobs.ts';
import type { ActivationPolicy } from '../domain/schedules.ts';
import type { ModelSummary } from '../domain/model.ts';
import type { DatasetRepository, JobQueue, JobRepository, ModelRepository } from '../domain/repositories.ts';
import { decideActivation } from './activation-policy.ts';
import type { AuditTrailService } from './audit-trail.ts';
import type { ModelService } from './models.ts';
import type { TrainingProgress, TrainingRequest } from './training.ts';

/** A first attempt and one retry. */
export const MAX_JOB_ATTEMPTS = 2;
/** Progress is written at most this often. */
const PROGRESS_INTERVAL_MS = 1_000;

export interface JobLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface JobView {
  job: JobRecord;
  model: ModelSummary | null;
}

export class JobService {
  private readonly jobs: JobRepository;
  private readonly queue: JobQueue | null;
  private readonly models: ModelService;
  private readonly modelRepository: ModelRepository;
  private readonly datasets: DatasetRepository;
  private readonly events: EventPublisher;
  private readonly log: JobLogger | null;
  private readonly audit: Pick<AuditTrailService, 'recordBackground'> | null;
  /** Trainings running on this replica, to stop at once when cancelled here. */
  private readonly running = new Map<string, AbortController>();

  constructor(
    dependencies: { jobs: JobRepository; queue: JobQueue | null; models: ModelService; modelRepository: ModelRepository; datasets: DatasetRepository },
    options: { events?: EventPublisher; log?: JobLogger; audit?: Pick<AuditTrailService, 'recordBackground'> } = {},
  ) {
    this.jobs = dependencies.jobs;
    this.queue = dependencies.queue;
    this.models = dependencies.models;
    this.modelRepository = dependencies.modelRepository;
    this.datasets = dependencies.datasets;
    this.events = options.events ?? NO_EVENTS;
    this.log = options.log ?? null;
    this.audit = options.audit ?? null;
  }

  /**
   * Stores and queues a training.
   * @throws UnprocessableDataError when the dataset does not exist (as the synchronous form would)
   */
  async submit(request: TrainingRequest, actor: string, options: { activationPolicy?: ActivationPolicy } = {}): Promise<JobView> {
    if (!this.queue) throw new DomainError('service-unavailable', 'background jobs need a database URL; train with ?wait=true');
    if (!(await this.datasets.findById(request.datasetId))) {
      throw new DomainError('unprocessable-data', `dataset ${request.datasetId} does not exist`, [
        { location: 'body', pointer: '/datasetId', code: 'unknown_dataset', message: `dataset ${request.datasetId} does not exist` },
      ]);
    }
    const job = await this.jobs.create({
      id: randomUUID(),
      kind: 'train',
      request: request as unknown as Record<string, unknown>,
      createdBy: actor,
      activationPolicy: options.activationPolicy ?? 'candidate',
    });
    try {
      await this.queue.enqueue(job.id);
    } catch (error) {
      await this.jobs.finish(job.id, 'failed', { type: '/problems/service-unavailable', title: 'Service unavailable', status: 503, detail: 'the job could not be queued' });
      throw error;
    }
    return { job, model: null };
  }

  async get(id: string): Promise<JobView> {
    const job = await this.jobs.findById(id);
    if (!job) throw new NotFoundError(`job ${id} does not exist`);
    return { job, model: job.modelId ? await this.modelRepository.findById(job.modelId) : null };
  }

  /** @throws NotFoundError; ConflictError for a job that already completed or failed */
  async cancel(id: string): Promise<JobView> {
    const before = await this.jobs.findById(id);
    if (!before) throw new NotFoundError(`job ${id} does not exist`);
    if (before.status === 'completed' || before.status === 'failed') throw new ConflictError(`job ${id} already ${before.status}`);
    const job = (await this.jobs.requestCancel(id))!;
    if (before.status === 'queued') await this.queue?.cancel(id).catch(() => {});
    this.running.get(id)?.abort();
    return { job, model: null };
  }

  /** Takes jobs on this replica until stop(). */
  async start(concurrency: number): Promise<void> {
    await this.queue?.work((jobId) => this.run(jobId), concurrency);
  }

  /**
   * Takes no more jobs. Trainings in progress are not cancelled: the training runner's close lets them
   * finish or stops them, and a stopped one is retried on another replica.
   */
  async stop(): Promise<void> {
    await this.queue?.stop();
  }

  /** One attempt at a job; throws only to have the queue retry it. */
  async run(jobId: string): Promise<void> {
    const job = await this.jobs.startAttempt(jobId);
    // Cancelled, or completed by an attempt whose replica died before the queue heard of it.
    if (!job || job.status !== 'running') return;
    if (job.modelId) {
      // The model was stored but its activation policy not yet applied when the last attempt ended.
      const model = await this.modelRepository.findById(job.modelId);
      if (model) await this.applyActivationPolicy(job, model);
      return;
    }
    const controller = new AbortController();
    this.running.set(jobId, controller);
    let lastWrite = 0;
    const onProgress = (progress: TrainingProgress) => {
      const now = Date.now();
      if (now - lastWrite < PROGRESS_INTERVAL_MS && progress.phase !== 'saving') return;
      lastWrite = now;
      this.jobs
        .updateProgress(jobId, progress.phase, { ...progress })
        .then(({ cancelRequested }) => cancelRequested && controller.abort())
        .catch((error: unknown) => this.log?.warn({ err: error, jobId }, 'job progress could not be written'));
    };
    try {
      const model = await this.models.train(job.request as unknown as TrainingRequest, onProgress, { jobId, signal: controller.signal });
      if (job.activationPolicy === 'when-not-worse') await this.applyActivationPolicy(job, model);
    } catch (error) {
      await this.settleFailure(job, error);
    } finally {
      this.running.delete(jobId);
    }
  }

  /** A scheduled retrain replaces the active version only when its quality holds (see activation-policy.ts). */
  private async applyActivationPolicy(job: JobRecord, model: ModelSummary): Promise<void> {
    const { items } = await this.modelRepository.list({ name: model.name, status: 'active' }, { limit: 1, offset: 0 });
    const active = items[0] ?? null;
    if (active?.id === model.id) {
      // An earlier attempt activated it, then its replica died before recording so.
      await this.jobs.completeWithActivation(job.id, 'activated');
      return;
    }
    const decision = decideActivation(model.metrics, active?.metrics ?? null, await this.models.fairnessGate(model.id));
    if (decision.activate) {
      await this.models.activate(model.id, job.createdBy);
      // Only schedules set a policy: the activation is the scheduler's (its job names the schedule).
      await this.audit?.recordBackground({
        action: 'model.activate',
        params: { id: model.id },
        target: { type: 'model', id: model.id },
        details: { jobId: job.id, activationPolicy: job.activationPolicy, note: decision.note },
      });
    }
    await this.jobs.completeWithActivation(job.id, decision.note);
  }

  private async settleFailure(job: JobRecord, error: unknown): Promise<void> {
    if (error instanceof JobCancelledError) {
      await this.jobs.finish(job.id, 'cancelled', null);
      return;
    }
    // Another attempt stored this job's model first: nothing is left to do.
    if (error instanceof ConflictError && (await this.jobs.findById(job.id))?.modelId) return;
    const isPermanent = error instanceof DomainError && error.status < 500;
    const problem = error instanceof DomainError ? error : new DomainError('internal-error', 'the training failed unexpectedly');
    const { type, title, status, detail } = problemDocument(problem.type, problem.message, `urn:job:${job.id}`);
    if (!isPermanent && job.attempts < MAX_JOB_ATTEMPTS) {
      this.log?.warn({ err: error, jobId: job.id, attempt: job.attempts }, 'training job failed; it will be retried');
      await this.jobs.requeue(job.id, { type, title, status, detail });
      throw error;
    }
    if (!isPermanent) this.log?.error({ err: error, jobId: job.id }, 'training job failed');
    await this.jobs.finish(job.id, 'failed', { type, title, status, detail });
    await this.events.publish({ type: 'job.failed', data: { job: { id: job.id, kind: job.kind }, error: detail } });
  }
}
