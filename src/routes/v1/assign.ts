import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AssignQuery, AssignRequest, AssignResponse } from '../../schemas/assign.ts';
import { commonProblems, Problem } from '../../schemas/common.ts';

export const assignRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/assign',
    {
      config: { scope: 'assign' },
      schema: {
        tags: ['assign'],
        summary: 'Assign a customer to the nearest persona',
        description:
          'Full or partial attributes (cold start: any subset of the features) in; the nearest persona of the served model out. Makes no database round trip.',
        security: [{ apiKey: [] }],
        querystring: AssignQuery,
        body: AssignRequest,
        response: { 200: AssignResponse, ...commonProblems, 404: Problem, 503: Problem },
      },
    },
    async (request) => {
      const assignment = await app.services.assignment.assign(request.body.attributes, request.query.model);
      const { model } = assignment;
      app.metrics.countAssignment(model, assignment.personaIndex);
      const persona = model.personas[assignment.personaIndex]!;
      return {
        ...(request.body.customerId === undefined ? {} : { customerId: request.body.customerId }),
        persona,
        distance: assignment.distance,
        unclassified: assignment.isUnclassified,
        ...(assignment.unclassifiedReason === null ? {} : { unclassifiedReason: assignment.unclassifiedReason }),
        ...(assignment.probabilities === null
          ? {}
          : {
              probabilities: Array.from(assignment.probabilities, (probability, index) => ({ persona: model.personas[index]!, probability })).sort(
                (a, b) => b.probability - a.probability,
              ),
            }),
        model: { id: model.id, name: model.name, version: model.version },
        featuresUsed: assignment.featuresUsed,
        featuresMissing: assignment.featuresMissing,
        warnings: assignment.warnings,
      };
    },
  );
};
