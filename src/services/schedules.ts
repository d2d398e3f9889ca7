/**
 * Scheduled retraining. Each model name may have one schedule: a cron expression (UTC), a source (a
 * dataset, or the newest dataset of a name at the time it fires) and an activation policy. Every
 * replica checks for due schedules every SCHEDULE_CHECK_SECONDS; claiming a due run moves the
 * schedule to its next run in the same transaction (SKIP LOCKED), so one replica fires each run. A
 * fired run is an ordinary background training job (jobs.ts), submitted as "schedule <name>".
 */
import { CronExpressionParser } from 'cron-parser';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { ScheduleRepository } from '../domain/repositories.ts';
import type { ActivationPolicy, Schedule } from '../domain/schedules.ts';
import type { AuditTrailService } from './audit-trail.ts';
import type { JobService } from './jobs.ts';
import type { TrainingRequest } from './training.ts';

export interface ScheduleInput {
  modelName: string;
  cron: string;
  datasetId?: string | undefined;
  datasetName?: string | undefined;
  training: Record<string, unknown>;
  activationPolicy: ActivationPolicy;
}

/** The first run of `cron` strictly after `after` (UTC). @throws Error for an invalid expression */
export function nextRunAfter(cron: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: 'UTC' }).next().toDate();
}

export class ScheduleService {
  private readonly schedules: ScheduleRepository;
  private readonly jobs: JobService;
  private readonly now: () => number;
  private readonly log: { warn(fields: Record<string, unknown>, message: string): void } | null;
  private readonly audit: Pick<AuditTrailService, 'recordBackground'> | null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    schedules: ScheduleRepository,
    jobs: JobService,
    options: { now?: () => number; log?: { warn(fields: Record<string, unknown>, message: string): void }; audit?: Pick<AuditTrailService, 'recordBackground'> } = {},
  ) {
    this.schedules = schedules;
    this.jobs = jobs;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? null;
    this.audit = options.audit ?? null;
  }

  /** Creates or replaces the schedule of a model name. @throws ValidationError for an invalid cron expression */
  async save(input: ScheduleInput, actor: string): Promise<Schedule> {
    let nextRunAt: Date;
    try {
      nextRunAt = nextRunAfter(input.cron, new Date(this.now()));
    } catch (error) {
      throw new ValidationError('the cron expression is not valid', [
        { location: 'body', pointer: '/cron', code: 'invalid_cron', message: `${(error as Error).message}; use five fields: minute hour day-of-month month day-of-week (UTC)` },
      ]);
    }
    return this.schedules.save({
      modelName: input.modelName,
      cron: input.cron,
      datasetId: input.datasetId ?? null,
      datasetName: input.datasetName ?? null,
      training: input.training,
      activationPolicy: input.activationPolicy,
      createdBy: actor,
      nextRunAt,
    });
  }

  list(): Promise<Schedule[]> {
    return this.schedules.list();
  }

  async get(modelName: string): Promise<Schedule> {
    const schedule = await this.schedules.find(modelName);
    if (!schedule) throw new NotFoundError(`model ${modelName} has no schedule`);
    return schedule;
  }

  async delete(modelName: string): Promise<void> {
    if (!(await this.schedules.delete(modelName))) throw new NotFoundError(`model ${modelName} has no schedule`);
  }

  /** Fires every schedule due at `now` (once each, across replicas); returns the job ids submitted. */
  async tick(now = new Date(this.now())): Promise<string[]> {
    const submitted: string[] = [];
    for (const schedule of await this.schedules.claimDue(now, nextRunAfter)) {
      const datasetId = schedule.datasetId ?? (await this.schedules.newestDatasetNamed(schedule.datasetName!));
      if (!datasetId) {
        this.log?.warn({ model: schedule.modelName, datasetName: schedule.datasetName }, 'scheduled training skipped: no dataset of that name');
        await this.schedules.recordRun(schedule.modelName, now, null);
        continue;
      }
      try {
        const request = { ...schedule.training, name: schedule.modelName, datasetId } as unknown as TrainingRequest;
        const { job } = await this.jobs.submit(request, `schedule ${schedule.modelName}`, { activationPolicy: schedule.activationPolicy });
        await this.schedules.recordRun(schedule.modelName, now, job.id);
        submitted.push(job.id);
        await this.audit?.recordBackground({
          action: 'model.train',
          body: request,
          target: { type: 'model', id: schedule.modelName },
          details: { jobId: job.id, schedule: schedule.modelName, activationPolicy: schedule.activationPolicy },
        });
      } catch (error) {
        this.log?.warn({ err: error, model: schedule.modelName }, 'scheduled training could not be submitted');
        await this.schedules.recordRun(schedule.modelName, now, null);
      }
    }
    return submitted;
  }

  /** Checks for due schedules every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick().catch((error: unknown) => this.log?.warn({ err: error }, 'schedule check failed')), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
