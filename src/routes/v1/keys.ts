import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiKey, CreatedKey, CreateKeyRequest, CurrentKey } from '../../schemas/keys.ts';
import { commonProblems, IdParams, pageOf, PageQuery, Problem } from '../../schemas/common.ts';
import { auditTarget, noteAudit } from './audit-note.ts';
import { toApiKeyDto } from './mappers.ts';

export const keyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/keys',
    {
      config: { scope: 'admin', audit: 'key.create' },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key',
        description: 'The key is returned once, in this response; only its hash is stored.',
        security: [{ apiKey: [] }],
        body: CreateKeyRequest,
        response: { 201: CreatedKey, ...commonProblems },
      },
    },
    async (request, reply) => {
      const { record, key } = await app.services.apiKeys.create(request.body.name, request.body.scopes);
      request.log.info({ keyId: record.id, scopes: record.scopes }, 'api key created');
      auditTarget(request, record.id);
      noteAudit(request, { name: record.name, scopes: record.scopes });
      return reply.code(201).send({ ...toApiKeyDto(record), key });
    },
  );

  app.get(
    '/keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'List API keys (without the keys themselves)',
        security: [{ apiKey: [] }],
        querystring: PageQuery,
        response: { 200: pageOf(ApiKey), ...commonProblems },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const page = await app.services.apiKeys.list({ limit, offset });
      return { items: page.items.map(toApiKeyDto), total: page.total, limit, offset };
    },
  );

  app.get(
    '/keys/current',
    {
      config: { scope: 'authenticated' },
      schema: {
        tags: ['keys'],
        summary: 'The calling API key: its name and scopes',
        description: 'Any valid key may ask, so a client (the persona board) can show only what the key may do.',
        security: [{ apiKey: [] }],
        response: { 200: CurrentKey, ...commonProblems },
      },
    },
    async (request) => {
      const { keyId, name, scopes } = request.principal!;
      return { id: keyId, name, scopes: [...scopes] };
    },
  );

  app.delete(
    '/keys/:id',
    {
      config: { scope: 'admin', audit: 'key.revoke' },
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: ApiKey, ...commonProblems, 404: Problem },
      },
    },
    async (request) => {
      const record = await app.services.apiKeys.revoke(request.params.id);
      request.log.info({ keyId: record.id }, 'api key revoked');
      noteAudit(request, { name: record.name });
      return toApiKeyDto(record);
    },
  );
};
