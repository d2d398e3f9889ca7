/** A model name's lifecycle: rollback, history and aliases (`?model=name@alias`). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ModelAlias as ModelAliasRecord, ModelEvent as ModelEventRecord } from '../../domain/model-history.ts';
import { commonProblems, pageOf, Problem } from '../../schemas/common.ts';
import { AliasParams, HistoryQuery, ModelAlias, ModelEvent, ModelNameParams, SetAliasRequest, SetAliasResult } from '../../schemas/model-history.ts';
import { ActivationResult } from '../../schemas/models.ts';
import { actorOf } from './actor.ts';
import { noteAudit } from './audit-note.ts';
import { toModelDto } from './mappers.ts';

function toEventDto(event: ModelEventRecord) {
  const { kind, from, to, alias, actor, reason, at } = event;
  return { kind, from, to, alias, actor, reason, at: at.toISOString() };
}

function toAliasDto(alias: ModelAliasRecord) {
  return { name: alias.modelName, alias: alias.alias, model: { id: alias.modelId, version: alias.version }, updatedAt: alias.updatedAt.toISOString(), updatedBy: alias.updatedBy };
}

export const modelHistoryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/models/:name/rollback',
    {
      config: { scope: 'admin', audit: 'model.rollback' },
      schema: {
        tags: ['models'],
        summary: 'Return a model name to its previously active version',
        description:
          'Activates the version that was active before the current one, as `POST /v1/models/{id}/activate` would, and records a `rolled_back` event. Rollback undoes the last switch: a second rollback returns to the version the first one left (like `cd -`). Versions deleted since are skipped, going further back. 409 when no previously active version is left.',
        security: [{ apiKey: [] }],
        params: ModelNameParams,
        response: { 200: ActivationResult, ...commonProblems, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const { activated, previous } = await app.services.models.rollback(request.params.name, actorOf(request));
      request.log.info({ modelId: activated.id, model: activated.name, version: activated.version, previousVersion: previous?.version ?? null }, 'model rolled back');
      noteAudit(request, { modelId: activated.id, version: activated.version, previousVersion: previous?.version ?? null });
      return { activated: toModelDto(activated), previous: previous ? toModelDto(previous) : null };
    },
  );

  app.get(
    '/models/:name/history',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Activations, rollbacks, deletions and alias changes of a model name',
        description: 'Newest first, each with the versions involved, the API key’s name and the time. Deleted versions keep their history.',
        security: [{ apiKey: [] }],
        params: ModelNameParams,
        querystring: HistoryQuery,
        response: { 200: pageOf(ModelEvent), ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const page = await app.services.models.history(request.params.name, { limit, offset });
      return { items: page.items.map(toEventDto), total: page.total, limit, offset };
    },
  );

  app.get(
    '/models/:name/aliases',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Aliases of a model name',
        security: [{ apiKey: [] }],
        params: ModelNameParams,
        response: { 200: z.object({ items: z.array(ModelAlias) }), ...commonProblems, 404: Problem },
      },
    },
    async (request) => ({ items: (await app.services.models.listAliases(request.params.name)).map(toAliasDto) }),
  );

  app.put(
    '/models/:name/aliases/:alias',
    {
      config: { scope: 'admin', audit: 'model.alias_set' },
      schema: {
        tags: ['models'],
        summary: 'Point an alias at a version',
        description:
          'Creates or moves the alias; `?model={name}@{alias}` then serves that version wherever a model is named (on every replica within a second). Recorded in the history.',
        security: [{ apiKey: [] }],
        params: AliasParams,
        body: SetAliasRequest,
        response: { 200: SetAliasResult, ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { name, alias } = request.params;
      const { alias: saved, previous } = await app.services.models.setAlias(name, alias, request.body.modelId !== undefined ? { modelId: request.body.modelId } : { version: request.body.version! }, actorOf(request));
      request.log.info({ model: name, alias, modelId: saved.modelId, version: saved.version, previousVersion: previous?.version ?? null }, 'model alias set');
      noteAudit(request, { alias, modelId: saved.modelId, version: saved.version, previousVersion: previous?.version ?? null });
      return { ...toAliasDto(saved), previous: previous ? { id: previous.modelId, version: previous.version } : null };
    },
  );

  app.delete(
    '/models/:name/aliases/:alias',
    {
      config: { scope: 'admin', audit: 'model.alias_remove' },
      schema: {
        tags: ['models'],
        summary: 'Remove an alias',
        security: [{ apiKey: [] }],
        params: AliasParams,
        response: { 204: z.null().describe('Removed'), ...commonProblems, 404: Problem },
      },
    },
    async (request, reply) => {
      const { name, alias } = request.params;
      const removed = await app.services.models.removeAlias(name, alias, actorOf(request));
      request.log.info({ model: name, alias, modelId: removed.modelId }, 'model alias removed');
      noteAudit(request, { alias, modelId: removed.modelId });
      return reply.code(204).send(null);
    },
  );
};
