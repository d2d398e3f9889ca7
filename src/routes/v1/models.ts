import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, IdParams, pageOf, Problem } from '../../schemas/common.ts';
import { ActivationResult, CompareParams, MergePersonasRequest, Model, ModelComparison, ModelDetail, ModelListQuery, TrainModelRequest } from '../../schemas/models.ts';
import type { ModelDetail as ModelDetailResult } from '../../services/models.ts';
import { actorOf } from './actor.ts';
import { toModelDto, toPersonaSummaryDto } from './mappers.ts';
import { Job, TrainQuery } from '../../schemas/jobs.ts';
import { toJobDto } from './jobs.ts';

function toModelDetailDto(model: ModelDetailResult) {
  return { ...toModelDto(model), personas: model.personas.map(toPersonaSummaryDto), map: model.map };
}

export const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/models',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Train a new model version (a background job, or at once with ?wait=true)',
        description:
          'Fits personas on a dataset, names them and ranks products per persona. Stored as the next version under `name`, as a candidate: activate it to serve it. By default the training runs in the background on whichever replica takes it: the answer is 202 with the job (Location: /v1/jobs/{id}; poll it for status, phase and the model). With `?wait=true` the request trains and answers 201 with the model.',
        security: [{ apiKey: [] }],
        querystring: TrainQuery,
        body: TrainModelRequest,
        response: { 201: ModelDetail, 202: Job, ...commonProblems, 422: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      if (!request.query.wait) {
        const view = await app.services.jobs.submit(request.body, actorOf(request));
        request.log.info({ jobId: view.job.id, model: request.body.name }, 'training job queued');
        return reply.code(202).header('location', `/v1/jobs/${view.job.id}`).send(toJobDto(view));
      }
      const model = await app.services.models.train(request.body, (progress) => request.log.debug({ progress }, 'training progress'));
      request.log.info({ modelId: model.id, model: model.name, version: model.version, k: model.metrics.k, trainingMs: model.metrics.trainingMs }, 'model trained');
      return reply.code(201).header('location', `/v1/models/${model.id}`).send(toModelDetailDto(model));
    },
  );

  app.get(
    '/models',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'List model versions',
        security: [{ apiKey: [] }],
        querystring: ModelListQuery,
        response: { 200: pageOf(Model), ...commonProblems },
      },
    },
    async (request) => {
      const { name, status, limit, offset } = request.query;
      const page = await app.services.models.list({ name, status }, { limit, offset });
      return { items: page.items.map(toModelDto), total: page.total, limit, offset };
    },
  );

  app.get(
    '/models/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Get a model version with its personas',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: ModelDetail, ...commonProblems, 404: Problem },
      },
    },
    async (request) => toModelDetailDto(await app.services.models.get(request.params.id)),
  );

  app.get(
    '/models/:id/compare/:otherId',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Match the personas of two model versions',
        description:
          'Each persona is placed in the feature space both versions share (numeric means in standard deviations of the first version, category shares) and the two sets are matched by minimal total distance (Hungarian algorithm); pairs farther apart than 0.6 stay unmatched (new or vanished).',
        security: [{ apiKey: [] }],
        params: CompareParams,
        response: { 200: ModelComparison, ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { from, to, ...matching } = await app.services.models.compare(request.params.id, request.params.otherId);
      return { ...matching, from: { id: from.id, name: from.name, version: from.version }, to: { id: to.id, name: to.name, version: to.version } };
    },
  );

  app.post(
    '/models/:id/merge',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Merge personas of a version into one, as a new version',
        description:
          'Re-fits the version on its dataset with the given personas merged: the customers are encoded with the stored preprocessing and the same algorithm starts from the merged parameters (k-means and k-prototypes: centres weighted by size; Gaussian mixtures: components merged by moment matching), with one persona fewer per merged member. The new version is a candidate under the same name, with `parameters.mergedFrom`; the other personas keep their keys and edits. Synchronous.',
        security: [{ apiKey: [] }],
        params: IdParams,
        body: MergePersonasRequest,
        response: { 201: ModelDetail, ...commonProblems, 404: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const model = await app.services.models.merge({ modelId: request.params.id, personaIds: request.body.personas }, (progress) =>
        request.log.debug({ progress }, 'merge progress'),
      );
      request.log.info({ modelId: model.id, model: model.name, version: model.version, k: model.metrics.k, mergedFrom: request.params.id }, 'personas merged');
      return reply.code(201).header('location', `/v1/models/${model.id}`).send(toModelDetailDto(model));
    },
  );

  app.post(
    '/models/:id/activate',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Make this version the active one of its name',
        description:
          'Atomically: this version becomes active, the previously active version of the same name inactive (kept for rollback). Serving switches at once, on every replica within a second. Recorded in the name’s history with the API key’s name.',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: ActivationResult, ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { activated, previous } = await app.services.models.activate(request.params.id, actorOf(request));
      request.log.info({ modelId: activated.id, model: activated.name, version: activated.version, previousVersion: previous?.version ?? null }, 'model activated');
      return { activated: toModelDto(activated), previous: previous ? toModelDto(previous) : null };
    },
  );

  app.delete(
    '/models/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Delete a model version (not the active one)',
        description: 'Its aliases go with it. Recorded in the name’s history, which keeps the deleted version’s id and number.',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 204: z.null().describe('Deleted'), ...commonProblems, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      await app.services.models.delete(request.params.id, actorOf(request));
      request.log.info({ modelId: request.params.id }, 'model deleted');
      return reply.code(204).send(null);
    },
  );
};
