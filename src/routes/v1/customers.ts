import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems } from '../../schemas/common.ts';
import { CustomerAssignments, CustomerAssignmentsQuery, CustomerParams } from '../../schemas/customers.ts';

export const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/customers/:externalId/assignments',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary: "A customer's persona history: every logged assignment, newest first, and the persona migrations",
        description:
          "Reads the assignment log that POST /v1/assign writes in the background (a few seconds behind at most, and only the sampled share when ASSIGNMENT_LOG_SAMPLE_RATE < 1), for the customerId your system sent. Each item names the model version and persona that served it, with its confidence and distance; the customer's attributes are never stored. `migrations` lists the persona changes between consecutive assignments by the same model name, across its versions, computed over the returned page. External ids are yours, not the service's: an id never logged answers 200 with an empty history, not 404.",
        security: [{ apiKey: [] }],
        params: CustomerParams,
        querystring: CustomerAssignmentsQuery,
        response: { 200: CustomerAssignments, ...commonProblems },
      },
    },
    async (request) => {
      const { externalId } = request.params;
      const { model, limit, offset } = request.query;
      const history = await app.services.customers.assignments(externalId, { modelName: model, limit, offset });
      return {
        externalId,
        items: history.items.map((item) => ({ ...item, assignedAt: item.assignedAt.toISOString() })),
        total: history.total,
        limit,
        offset,
        migrations: history.migrations.map((migration) => ({ ...migration, at: migration.at.toISOString() })),
      };
    },
  );
};
