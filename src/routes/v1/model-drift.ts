import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, IdParams, Problem } from '../../schemas/common.ts';
import { DriftQuery, DriftReport } from '../../schemas/drift.ts';

export const modelDriftRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/models/:id/drift',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Drift of the customers served by a model version since training',
        description:
          'Per feature the population stability index (PSI) of the values /v1/assign received in the window against the training distribution (numerics by training deciles, categories with an "other" bin), and the shift of the persona mix, each with a verdict. Counts are kept in memory and written at every full hour; the current hour of the replica that answers is included.',
        security: [{ apiKey: [] }],
        params: IdParams,
        querystring: DriftQuery,
        response: { 200: DriftReport, ...commonProblems, 404: Problem, 422: Problem },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const report = await app.services.drift.report(request.params.id, { from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) });
      const { model } = report;
      return {
        model: { id: model.id, name: model.name, version: model.version },
        from: report.from.toISOString(),
        to: report.to.toISOString(),
        observations: report.observations,
        verdict: report.verdict,
        features: report.features,
        personas: {
          psi: report.personas.psi,
          verdict: report.personas.verdict,
          shares: report.personas.shares.map(({ index, expected, actual }) => ({ persona: model.personas[index]!, expected, actual, shift: actual - expected })),
        },
      };
    },
  );
};
