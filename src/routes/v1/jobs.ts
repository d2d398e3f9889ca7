import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, IdParams, Problem } from '../../schemas/common.ts';
import { Job } from '../../schemas/jobs.ts';
import type { JobView } from '../../services/jobs.ts';

export function toJobDto({ job, model }: JobView) {
  const { id, kind, status, phase, progress, attempts, cancelRequested, error, createdBy, activationPolicy, activationNote, createdAt, startedAt, finishedAt } = job;
  return {
    id,
    kind,
    status,
    phase,
    progress,
    attempts,
    cancelRequested,
    model: model ? { id: model.id, name: model.name, version: model.version } : null,
    error,
    createdBy,
    activationPolicy,
    activationNote,
    createdAt: createdAt.toISOString(),
    startedAt: startedAt?.toISOString() ?? null,
    finishedAt: finishedAt?.toISOString() ?? null,
    durationMs: startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
  };
}

export const jobRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/jobs/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'A background training: status, phase, progress and timings',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: Job, ...commonProblems, 404: Problem },
      },
    },
    async (request) => toJobDto(await app.services.jobs.get(request.params.id)),
  );

  app.delete(
    '/jobs/:id',
    {
      config: { scope: 'admin', audit: 'job.cancel' },
      schema: {
        tags: ['models'],
        summary: 'Cancel a background training',
        description:
          'A queued job is cancelled at once; a running one stops at its next progress report (within about a second) and stores no model. A job that already completed or failed is a 409.',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: Job, ...commonProblems, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const view = await app.services.jobs.cancel(request.params.id);
      request.log.info({ jobId: view.job.id, status: view.job.status }, 'job cancellation requested');
      return toJobDto(view);
    },
  );
};
