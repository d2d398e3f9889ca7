import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Schedule as ScheduleRecord } from '../../domain/schedules.ts';
import { commonProblems, Problem } from '../../schemas/common.ts';
import { fieldIssuesFromZod, ValidationError } from '../../domain/errors.ts';
import { TrainModelRequest } from '../../schemas/models.ts';
import { Schedule, ScheduleParams, ScheduleRequest } from '../../schemas/schedules.ts';
import { actorOf } from './actor.ts';
import { auditTarget } from './audit-note.ts';

const PLACEHOLDER_DATASET = '00000000-0000-4000-8000-000000000000';

function toScheduleDto(schedule: ScheduleRecord) {
  return {
    ...schedule,
    createdAt: schedule.createdAt.toISOString(),
    nextRunAt: schedule.nextRunAt.toISOString(),
    lastRunAt: schedule.lastRunAt?.toISOString() ?? null,
  };
}

export const scheduleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/schedules',
    {
      config: { scope: 'admin', audit: 'schedule.save' },
      schema: {
        tags: ['models'],
        summary: 'Retrain a model on a schedule (creates or replaces its schedule)',
        description:
          'Each run is a background training job of the model name on the dataset given, or on the newest dataset of a name; the activation policy decides whether a new version replaces the active one on its own. Any replica fires a due run, exactly once.',
        security: [{ apiKey: [] }],
        body: ScheduleRequest,
        response: { 201: Schedule, ...commonProblems },
      },
    },
    async (request, reply) => {
      const { training, ...rest } = request.body;
      // The options must make a valid training request once the run supplies name and dataset.
      const checked = TrainModelRequest.safeParse({ ...training, name: rest.modelName, datasetId: PLACEHOLDER_DATASET });
      if (!checked.success) throw new ValidationError('the training options are not valid', fieldIssuesFromZod(checked.error.issues, 'body', ['training']));
      const { name: _name, datasetId: _datasetId, ...options } = checked.data;
      const schedule = await app.services.schedules.save({ ...rest, training: options }, actorOf(request));
      auditTarget(request, schedule.modelName);
      return reply.code(201).send(toScheduleDto(schedule));
    },
  );

  app.get(
    '/schedules',
    {
      config: { scope: 'read' },
      schema: { tags: ['models'], summary: 'Every schedule', security: [{ apiKey: [] }], response: { 200: z.object({ items: z.array(Schedule) }), ...commonProblems } },
    },
    async () => ({ items: (await app.services.schedules.list()).map(toScheduleDto) }),
  );

  app.get(
    '/schedules/:modelName',
    {
      config: { scope: 'read' },
      schema: { tags: ['models'], summary: "A model name's schedule", security: [{ apiKey: [] }], params: ScheduleParams, response: { 200: Schedule, ...commonProblems, 404: Problem } },
    },
    async (request) => toScheduleDto(await app.services.schedules.get(request.params.modelName)),
  );

  app.delete(
    '/schedules/:modelName',
    {
      config: { scope: 'admin', audit: 'schedule.delete' },
      schema: { tags: ['models'], summary: "Stop a model name's schedule", security: [{ apiKey: [] }], params: ScheduleParams, response: { 204: z.null(), ...commonProblems, 404: Problem } },
    },
    async (request, reply) => {
      await app.services.schedules.delete(request.params.modelName);
      return reply.code(204).send(null);
    },
  );
};
