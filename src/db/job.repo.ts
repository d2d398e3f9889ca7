import type { JobRecord } from '../domain/jobs.ts';
import type { JobRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';

const jobSelect = {
  id: true,
  kind: true,
  request: true,
  status: true,
  phase: true,
  progress: true,
  attempts: true,
  cancelRequested: true,
  modelId: true,
  error: true,
  createdBy: true,
  activationPolicy: true,
  activationNote: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
} as const;

type JobRow = {
  [K in keyof typeof jobSelect]: unknown;
} & {
  id: string;
  kind: string;
  status: JobRecord['status'];
  phase: string | null;
  attempts: number;
  cancelRequested: boolean;
  modelId: string | null;
  createdBy: string;
  activationPolicy: string;
  activationNote: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

function toJob(row: JobRow): JobRecord {
  return {
    ...row,
    kind: 'train',
    activationPolicy: row.activationPolicy as JobRecord['activationPolicy'],
    request: row.request as Record<string, unknown>,
    progress: (row.progress ?? null) as JobRecord['progress'],
    error: (row.error ?? null) as JobRecord['error'],
  };
}

export function createJobRepository(db: Database): JobRepository {
  const findById = async (id: string) => {
    const row = await db.trainingJob.findUnique({ where: { id }, select: jobSelect });
    return row ? toJob(row) : null;
  };
  return {
    async create(job) {
      return toJob(
        await db.trainingJob.create({
          data: { id: job.id, kind: job.kind, request: job.request as object, createdBy: job.createdBy, activationPolicy: job.activationPolicy },
          select: jobSelect,
        }),
      );
    },

    async completeWithActivation(id, note) {
      await db.trainingJob.updateMany({ where: { id, status: 'running' }, data: { activationNote: note, status: 'completed', phase: 'done', finishedAt: new Date() } });
    },

    findById,

    async startAttempt(id) {
      await db.trainingJob.updateMany({
        where: { id, status: { in: ['queued', 'running'] }, modelId: null },
        data: { status: 'running', attempts: { increment: 1 }, startedAt: new Date(), phase: 'queued', progress: {} },
      });
      return findById(id);
    },

    async updateProgress(id, phase, progress) {
      const updated = await db.trainingJob.update({ where: { id }, data: { phase, progress: progress as object }, select: { cancelRequested: true } });
      return { cancelRequested: updated.cancelRequested };
    },

    async finish(id, status, error) {
      await db.trainingJob.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { status, error: error ?? undefined, finishedAt: new Date() } });
    },

    async requeue(id, error) {
      await db.trainingJob.updateMany({ where: { id, status: 'running' }, data: { status: 'queued', error: error ?? undefined, phase: null } });
    },

    async requestCancel(id) {
      // A queued job ends at once; a running one is asked to stop and ends at its next progress report.
      await db.$transaction([
        db.trainingJob.updateMany({ where: { id, status: 'queued' }, data: { status: 'cancelled', cancelRequested: true, finishedAt: new Date() } }),
        db.trainingJob.updateMany({ where: { id, status: 'running' }, data: { cancelRequested: true } }),
      ]);
      return findById(id);
    },
  };
}
