/**
 * RFC 9457 problem details for every error: schema failures (with a JSON Pointer per issue), domain
 * errors, Fastify's own errors (body too large, bad media type, bad JSON) and anything unexpected
 * (a generic 500 that never echoes the message, stack or SQL). Also the 404 handler.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, flattenIssue, jsonPointer, PROBLEM_TYPES, problemDocument } from '../domain/errors.ts';
import type { FieldIssue, ProblemType, ZodIssueLike } from '../domain/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(reply: FastifyReply, type: ProblemType, detail: string, errors?: readonly FieldIssue[]): FastifyReply {
  const body = problemDocument(type, detail, `urn:request:${reply.request.id}`, errors);
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

const VALIDATION_LOCATIONS: Record<string, FieldIssue['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** fastify-type-provider-zod moves an issue's code to `keyword` and its path to `instancePath`. */
interface SchemaValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Omit<ZodIssueLike, 'code' | 'path' | 'message'>;
}

function schemaIssues(error: FastifyError & { validation: SchemaValidationIssue[] }): FieldIssue[] {
  const location = VALIDATION_LOCATIONS[error.validationContext ?? 'body'] ?? 'body';
  return error.validation.flatMap((validation) => {
    const issue: ZodIssueLike = { ...validation.params, code: validation.keyword, message: validation.message ?? 'is invalid' };
    const basePath = validation.instancePath.split('/').slice(1).filter((token) => token !== '');
    return flattenIssue(issue, basePath).map(({ path, code, message }) => ({
      location,
      pointer: jsonPointer(...path.map((token) => (typeof token === 'symbol' ? token.toString() : token))),
      code,
      message,
    }));
  });
}

const FASTIFY_ERROR_TYPES: Record<string, ProblemType> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed-body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-body',
};

function typeForStatus(status: number): ProblemType {
  const match = (Object.keys(PROBLEM_TYPES) as ProblemType[]).find((type) => PROBLEM_TYPES[type].status === status);
  return match ?? (status >= 500 ? 'internal-error' : 'validation-error');
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = schemaIssues(error);
    return sendProblem(reply, 'validation-error', `${issues.length} field${issues.length === 1 ? '' : 's'} of the request ${issues.length === 1 ? 'is' : 'are'} invalid`, issues);
  }
  if (error instanceof DomainError) {
    if (error.status >= 500 && error.type !== 'no-active-model') request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, error.type, error.message, error.errors);
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, route: request.routeOptions.url }, 'response did not match its schema');
    return sendProblem(reply, 'internal-error', 'the service could not produce a valid response');
  }
  const fastifyType = error.code ? FASTIFY_ERROR_TYPES[error.code] : undefined;
  if (fastifyType === 'payload-too-large') {
    const limit = request.routeOptions.bodyLimit;
    return sendProblem(reply, fastifyType, `the request body exceeds this route's limit of ${limit} bytes (${(limit / 1048576).toFixed(1)} MiB)`);
  }
  if (fastifyType === 'unsupported-media-type') {
    return sendProblem(reply, fastifyType, `Content-Type ${request.headers['content-type'] ?? '(none)'} is not accepted here`);
  }
  if (fastifyType) return sendProblem(reply, fastifyType, error.message);
  const status = error.statusCode ?? 500;
  if (status < 500) return sendProblem(reply, typeForStatus(status), error.message);
  request.log.error({ err: error }, 'unexpected error');
  return sendProblem(reply, 'internal-error', 'an unexpected error occurred; quote the instance to the operators');
}

export const problemsPlugin = fp(
  async (app) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?', 1)[0];
      return sendProblem(reply, 'not-found', `no route ${request.method} ${path}`);
    });
  },
  { name: 'problems' },
);
