import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, Problem } from '../../schemas/common.ts';
import { CustomerRecommendationQuery, CustomerRecommendationRequest, CustomerRecommendations } from '../../schemas/recommendations.ts';

export const recommendationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/recommendations',
    {
      config: { scope: 'assign' },
      schema: {
        tags: ['recommendations'],
        summary: 'Products for one customer: attributes → persona → products they do not hold, with reasons',
        description:
          "Places the customer as /v1/assign does, then returns the persona's products ranked at training, leaving out those in `exclude` and, with `customerId`, those the customer bought according to the model's dataset. An unclassified customer gets no products. Unknown customer or product ids are warnings, not errors.",
        security: [{ apiKey: [] }],
        querystring: CustomerRecommendationQuery,
        body: CustomerRecommendationRequest,
        response: { 200: CustomerRecommendations, ...commonProblems, 404: Problem, 503: Problem },
      },
    },
    async (request) => {
      const result = await app.services.recommendations.forCustomer(request.body, request.query.model);
      request.log.debug({ modelId: result.model.id, personaId: result.persona.id, items: result.items.length }, 'recommendations served');
      const { isUnclassified, ...rest } = result;
      return { ...rest, unclassified: isUnclassified };
    },
  );
};
