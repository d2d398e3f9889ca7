import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, Problem } from '../../schemas/common.ts';
import { MigrationParams, MigrationQuery, ModelMigration } from '../../schemas/migration.ts';

export const modelMigrationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/models/:id/migration/:otherId',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'How customers move between the personas of two versions',
        description:
          "Places every customer of a dataset (default: the first version's) under both versions and returns the from → to matrix with counts and row shares, matched personas on the diagonal, plus an `unclassified` row and column for customers beyond every persona. `movers` pages the customers who changed persona; `from` and `to` (persona keys) narrow it to one cell, e.g. loyalists who became churn risks. A customer lacking some of a version's features is placed from the rest (cold start) and counted in `coverage`. Reads the whole dataset in pages of 5,000: about 1.3 s per 100,000 customers.",
        security: [{ apiKey: [] }],
        params: MigrationParams,
        querystring: MigrationQuery,
        response: { 200: ModelMigration, ...commonProblems, 404: Problem, 422: Problem },
      },
    },
    async (request) => {
      const { id, otherId } = request.params;
      const result = await app.services.migration.migration(id, otherId, request.query);
      request.log.info({ modelId: result.from.id, otherModelId: result.to.id, customers: result.customers, stayedShare: result.stayed.share }, 'migration computed');
      const reference = ({ id: modelId, name, version }: typeof result.from) => ({ id: modelId, name, version });
      return { ...result, from: reference(result.from), to: reference(result.to) };
    },
  );
};
