import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, IdParams, pageOf, Problem } from '../../schemas/common.ts';
import { Persona, PersonaList, PersonaListQuery, PersonaPatch, Recommendation, RecommendationQuery } from '../../schemas/personas.ts';
import { toPersonaDto } from './mappers.ts';
import { actorOf } from './actor.ts';
import { noteAudit } from './audit-note.ts';

export const personaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/personas',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['personas'],
        summary: 'List the personas of a model',
        security: [{ apiKey: [] }],
        querystring: PersonaListQuery,
        response: { 200: PersonaList, ...commonProblems, 404: Problem, 503: Problem },
      },
    },
    async (request) => {
      const { model, personas } = await app.services.personas.list(request.query.model);
      return { model: { id: model.id, name: model.name, version: model.version }, items: personas.map(toPersonaDto) };
    },
  );

  app.get(
    '/personas/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['personas'],
        summary: 'Get a persona with its traits',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: Persona, ...commonProblems, 404: Problem },
      },
    },
    async (request) => toPersonaDto(await app.services.personas.get(request.params.id)),
  );

  app.patch(
    '/personas/:id',
    {
      config: { scope: 'admin', audit: 'persona.update' },
      schema: {
        tags: ['personas'],
        summary: 'Edit a persona: rename it, rewrite its description or strategies',
        description:
          'Edits are recorded (who and when) and survive retraining: the matching persona of a new version of the model inherits them. The new name is served by /v1/assign at once.',
        security: [{ apiKey: [] }],
        params: IdParams,
        body: PersonaPatch,
        response: { 200: Persona, ...commonProblems, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const persona = await app.services.personas.edit(request.params.id, request.body, actorOf(request));
      request.log.info({ personaId: persona.id, fields: Object.keys(request.body) }, 'persona edited');
      noteAudit(request, { fields: Object.keys(request.body) });
      return toPersonaDto(persona);
    },
  );

  app.get(
    '/personas/:id/recommendations',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['personas'],
        summary: "The persona's products, ranked by lift (or by confidence) with the reason for each",
        description:
          "Computed at training from the dataset purchases: for each product the persona's purchase rate (confidence), the rate among all customers and their ratio (lift), with support counts. Ranked by lift, then support (rankBy=confidence: by the persona's purchase rate); only products with at least minSupport buyers in the persona.",
        security: [{ apiKey: [] }],
        params: IdParams,
        querystring: RecommendationQuery,
        response: { 200: pageOf(Recommendation), ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { minSupport, rankBy, limit, offset } = request.query;
      const page = await app.services.personas.recommendations(request.params.id, { minSupport, rankBy, limit, offset });
      return { ...page, limit, offset };
    },
  );
};
