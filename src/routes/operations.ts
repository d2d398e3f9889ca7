import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, PROBLEM_TYPES, problemTypeUri } from '../domain/errors.ts';
import type { ProblemType } from '../domain/errors.ts';
import { Problem } from '../schemas/common.ts';

const ProblemTypeDescription = z.object({ type: z.string(), status: z.number().int(), title: z.string(), description: z.string() });

export const operationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: { 200: z.string().describe('Prometheus text exposition format') },
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );

  app.get(
    '/problems/:type',
    {
      schema: {
        tags: ['operations'],
        summary: 'Describe a problem type (the `type` of an error response)',
        params: z.object({ type: z.string() }),
        response: { 200: ProblemTypeDescription, 404: Problem },
      },
    },
    async (request) => {
      const type = request.params.type as ProblemType;
      if (!Object.hasOwn(PROBLEM_TYPES, type)) throw new NotFoundError(`no problem type ${request.params.type}`);
      return { type: problemTypeUri(type), ...PROBLEM_TYPES[type] };
    },
  );
};
