import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, IdParams, pageOf, Problem } from '../../schemas/common.ts';
import { ActivateModelRequest, ActivationResult, CompareParams, FairnessReport, MergePersonasRequest, Model, ModelComparison, ModelDetail, ModelListQuery, TrainModelRequest } from '../../schemas/models.ts';
import type { ModelDetail as ModelDetailResult } from '../../services/models.ts';
import { actorOf } from './actor.ts';
import { auditTarget, noteAudit } from './audit-note.ts';
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
      config: { scope: 'admin', audit: 'model.train' },
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
      auditTarget(request, request.body.name);
      // An override of the protected attributes is stored with the model beside who asked for it.
      const { includeProtected } = request.body;
      const training = includeProtected ? { ...request.body, includeProtected: { ...includeProtected, by: actorOf(request) } } : request.body;
      if (includeProtected) noteAudit(request, { includeProtected: includeProtected.columns, reason: includeProtected.reason });
      if (!request.query.wait) {
        const view = await app.services.jobs.submit(training, actorOf(request));
        request.log.info({ jobId: view.job.id, model: request.body.name }, 'training job queued');
        noteAudit(request, { jobId: view.job.id });
        return reply.code(202).header('location', `/v1/jobs/${view.job.id}`).send(toJobDto(view));
      }
      const model = await app.services.models.train(training, (progress) => request.log.debug({ progress }, 'training progress'));
      request.log.info({ modelId: model.id, model: model.name, version: model.version, k: model.metrics.k, trainingMs: model.metrics.trainingMs }, 'model trained');
      noteAudit(request, { modelId: model.id, version: model.version });
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

  app.get(
    '/models/:id/fairness',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Fairness audit of a model version',
        description:
          'Computed at training for the protected attributes declared on the dataset or in the training request. composition: per persona the share of each group beside its population share, with a chi-square test of independence and Cramér’s V (the verdict uses the bias-corrected V); steering: selection rate of each group into high-cost personas (a high-cost strategy or a high-cost product among the top five) and the four-fifths ratio; proxies: cross-validated balanced accuracy of predicting the attribute from the model’s features against the majority baseline, and per feature Cramér’s V and mutual information, naming the features that act as proxies. Each check has a verdict (pass, review, fail) and a reason; thresholds come from the FAIRNESS_… settings. A version trained without protected attributes answers 200 with status `not_audited`.',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: FairnessReport, ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const { model, audit } = await app.services.models.fairness(request.params.id);
      const ref = { id: model.id, name: model.name, version: model.version };
      const includeProtected = model.parameters.includeProtected;
      if (!audit) {
        return {
          model: ref,
          status: 'not_audited' as const,
          verdict: null,
          reason: 'not audited: no protected attributes declared (declare them at upload with protectedAttributes, or in the training request)',
          thresholds: null,
          protectedAttributes: [],
          highCostPersonas: [],
          checks: null,
          includeProtected,
          computedAt: null,
        };
      }
      const { verdict, reason, thresholds, protectedAttributes, highCostPersonas, checks, computedAt } = audit;
      return { model: ref, status: 'audited' as const, verdict, reason, thresholds, protectedAttributes, highCostPersonas, checks, includeProtected, computedAt };
    },
  );

  app.post(
    '/models/:id/merge',
    {
      config: { scope: 'admin', audit: 'model.merge' },
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
      noteAudit(request, { modelId: model.id, version: model.version, personas: request.body.personas });
      return reply.code(201).header('location', `/v1/models/${model.id}`).send(toModelDetailDto(model));
    },
  );

  app.post(
    '/models/:id/activate',
    {
      config: { scope: 'admin', audit: 'model.activate' },
      schema: {
        tags: ['models'],
        summary: 'Make this version the active one of its name',
        description:
          'Atomically: this version becomes active, the previously active version of the same name inactive (kept for rollback). Serving switches at once, on every replica within a second. Recorded in the name’s history with the API key’s name. In strict governance mode (GOVERNANCE_MODE=strict) a version whose fairness audit is not `pass`, or that was not audited, is refused (409) unless the body gives `override.reason`, recorded in the history with the caller.',
        security: [{ apiKey: [] }],
        params: IdParams,
        body: ActivateModelRequest,
        response: { 200: ActivationResult, ...commonProblems, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const override = request.body?.override;
      if (override) noteAudit(request, { fairnessOverride: override.reason });
      const { activated, previous } = await app.services.models.activate(request.params.id, actorOf(request), { override });
      request.log.info({ modelId: activated.id, model: activated.name, version: activated.version, previousVersion: previous?.version ?? null }, 'model activated');
      noteAudit(request, { name: activated.name, version: activated.version, previousVersion: previous?.version ?? null });
      return { activated: toModelDto(activated), previous: previous ? toModelDto(previous) : null };
    },
  );

  app.delete(
    '/models/:id',
    {
      config: { scope: 'admin', audit: 'model.delete' },
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
