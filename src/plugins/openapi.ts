/**
 * OpenAPI 3 document generated from the routes' zod schemas (@fastify/swagger with the zod
 * transform), served at /openapi.json, with Swagger UI at /docs. `npm run openapi` writes it to
 * openapi.yaml, and a test fails when the committed file differs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_TYPES, problemTypeUri } from '../domain/errors.ts';
import { PROBLEM_CONTENT_TYPE as PROBLEM_MEDIA_TYPE } from './problems.ts';

const API_DESCRIPTION = `Turns customer data into personas and serves them.

* CRM systems call **POST /v1/assign** on every sign-up to learn which persona a customer belongs to.
* Marketing apps read personas and their recommended products (**/v1/personas**).
* Ops teams upload data (**/v1/datasets**), train, activate and delete model versions (**/v1/models**).

Errors are RFC 9457 problem documents (\`application/problem+json\`). Problem types:

${Object.entries(PROBLEM_TYPES)
  .map(([type, { status, title, description }]) => `* \`${problemTypeUri(type as keyof typeof PROBLEM_TYPES)}\` (${status}) **${title}**: ${description}`)
  .join('\n')}`;

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type BodyByMediaType = { content: Record<string, { schema: z.ZodType }> };

function isBodyByMediaType(body: unknown): body is BodyByMediaType {
  return typeof body === 'object' && body !== null && 'content' in body;
}

/**
 * The zod transform does not understand bodies with one schema per media type (the upload routes
 * accept JSON, CSV and NDJSON); convert those with zod's own JSON Schema export.
 */
function transformRoute(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const body = input.schema?.body;
  if (!isBodyByMediaType(body)) return jsonSchemaTransform(input);
  const { body: _body, ...rest } = input.schema!;
  const result = jsonSchemaTransform({ ...input, schema: rest });
  const content = Object.fromEntries(
    Object.entries(body.content).map(([mediaType, { schema }]) => [
      mediaType,
      { schema: z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) },
    ]),
  );
  return { ...result, schema: { ...result.schema, body: { content } } };
}

type OpenApiDocument = ReturnType<typeof jsonSchemaTransformObject>;
type Operation = { responses?: Record<string, { description?: string; content?: Record<string, unknown> }> };

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No content' };

/** Titles of the problem types a status can carry, for the response's description. */
function problemDescription(status: string): string {
  const titles = Object.values(PROBLEM_TYPES)
    .filter((problem) => String(problem.status) === status)
    .map((problem) => problem.title);
  return titles.length > 0 ? `${titles.join(' / ')} (problem details)` : 'Problem details';
}

/**
 * After the zod transform: error responses are served as application/problem+json, and every
 * response gets a description instead of Fastify's "Default Response".
 */
function transformDocument(input: Parameters<typeof jsonSchemaTransformObject>[0]): OpenApiDocument {
  const document = jsonSchemaTransformObject(input);
  const paths = ('paths' in document ? document.paths : {}) as Record<string, Record<string, Operation>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'] as { schema?: { $ref?: string } } | undefined;
        if (json?.schema?.$ref === '#/components/schemas/Problem') {
          response.content = { [PROBLEM_MEDIA_TYPE]: json };
          response.description = problemDescription(status);
        } else if (response.description === 'Default Response') {
          response.description = SUCCESS_DESCRIPTIONS[status] ?? (Number(status) >= 400 ? problemDescription(status) : 'OK');
        }
      }
    }
  }
  return document;
}

export const openApiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'persona-service', version: '1.0.0', description: API_DESCRIPTION },
        tags: [
          { name: 'assign', description: 'Nearest persona for a customer' },
          { name: 'personas', description: 'Personas of a model and their recommended products' },
          { name: 'recommendations', description: 'Products for one customer, through their persona' },
          { name: 'customers', description: "A customer's persona history from the assignment log" },
          { name: 'models', description: 'Training, versions and activation' },
          { name: 'datasets', description: 'Customer, product and purchase uploads' },
          { name: 'keys', description: 'API keys' },
          { name: 'webhooks', description: 'Event subscriptions (signed webhooks) and their deliveries' },
          { name: 'audit', description: 'The append-only, hash-chained trail of admin actions' },
          { name: 'operations', description: 'Health, readiness and metrics' },
        ],
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created with POST /v1/keys (or printed at first start)' } },
        },
      },
      transform: transformRoute,
      transformObject: transformDocument,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
