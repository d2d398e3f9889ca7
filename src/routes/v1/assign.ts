import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, fieldIssuesFromZod, problemDocument } from '../../domain/errors.ts';
import type { ProblemDocument } from '../../domain/errors.ts';
import { AssignQuery, AssignRequest, AssignResponse, BatchNdjsonResponse, BatchQuery, BatchRequest, BatchResponse, MAX_BATCH_ITEMS } from '../../schemas/assign.ts';
import { commonProblems, Problem } from '../../schemas/common.ts';
import type { Assignment, AssignOptions } from '../../services/assignment.ts';
import { toAssignmentDto } from './assign-dto.ts';

const NDJSON_MEDIA_TYPES = ['application/x-ndjson', 'application/ndjson'];
/** Products in `?include=recommendations`. */
const INCLUDED_RECOMMENDATIONS = 5;
/** A longer NDJSON line is answered with an error record and skipped (it cannot be one customer). */
export const MAX_NDJSON_LINE_CHARS = 1 << 20;

export const assignRoutes: FastifyPluginAsyncZod = async (app) => {
  /** Bookkeeping of every assignment: metrics, and the background assignment log. */
  const recordAssignment = (assignment: Assignment, customerId: string | undefined, attributes: Readonly<Record<string, unknown>>) => {
    const { model } = assignment;
    app.metrics.countAssignment(model, assignment.personaIndex);
    // Drift counts by feature bin, in memory: no attribute is kept, only which bin it fell in.
    app.services.drift.recorder.record(model, attributes, assignment.personaIndex);
    app.services.assignmentLog.record({
      modelId: model.id,
      personaId: model.personas[assignment.personaIndex]!.id,
      externalId: customerId ?? null,
      distance: assignment.distance,
      confidence: assignment.confidence,
      unclassified: assignment.isUnclassified,
    });
  };

  app.post(
    '/assign',
    {
      config: { scope: 'assign' },
      // The hot path: the handler's return type is checked against AssignResponse at compile time, so
      // the response is written with JSON.stringify instead of being re-validated by zod on every call
      // (fast-json-stringify compiled from the schema was no faster on these objects).
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        tags: ['assign'],
        summary: 'Assign a customer to the nearest persona',
        description:
          'Full or partial attributes (cold start: any subset of the features) in; the persona of the served model out, with its probability (confidence), the runners-up, and for partial input the best next question to ask. Makes no database round trip.',
        security: [{ apiKey: [] }],
        querystring: AssignQuery,
        body: AssignRequest,
        response: { 200: AssignResponse, ...commonProblems, 404: Problem, 503: Problem },
      },
    },
    async (request) => {
      const { customerId, attributes } = request.body;
      const assignment = await app.services.assignment.assign(attributes, request.query.model, { explain: request.query.explain });
      // Buffered in memory and written in the background: no database round trip here.
      recordAssignment(assignment, customerId, attributes);
      const { include } = request.query;
      const dto = toAssignmentDto(assignment, { customerId, includeProbabilities: include.includes('probabilities'), includeQuestionRanking: include.includes('questions') });
      if (!include.includes('recommendations')) return dto;
      // Served from the recommendation cache: a database query only the first time a persona is asked for.
      const recommendations = assignment.isUnclassified ? [] : await app.services.recommendations.topForPersona(assignment.model.personas[assignment.personaIndex]!, INCLUDED_RECOMMENDATIONS);
      return { ...dto, recommendations };
    },
  );

  // The batch route streams NDJSON: its parser hands the raw request stream over instead of a string.
  await app.register(async (batch) => {
    batch.removeContentTypeParser(NDJSON_MEDIA_TYPES);
    batch.addContentTypeParser(NDJSON_MEDIA_TYPES, (_request, payload, done) => done(null, payload));

    batch.withTypeProvider<ZodTypeProvider>().post(
      '/assign/batch',
      {
        config: { scope: 'assign' },
        schema: {
          tags: ['assign'],
          summary: 'Assign many customers: a JSON array, or NDJSON streamed in and out',
          description: `A JSON array of up to ${MAX_BATCH_ITEMS} customers answers with one item per customer. NDJSON (Content-Type application/x-ndjson) streams any number of customers with constant memory: each line is scored as it arrives and answered with one line, in order, with backpressure; a line that is not valid JSON or does not fit the model gets an error record and the stream goes on. The whole batch is scored by one model version, resolved when the request starts. Next-question suggestions are left out of batches.`,
          security: [{ apiKey: [] }],
          querystring: BatchQuery,
          body: {
            content: {
              'application/json': { schema: BatchRequest },
              'application/x-ndjson': { schema: z.custom<Readable>((value) => value instanceof Readable).meta({ type: 'string', description: 'NDJSON: one AssignRequest per line' }) },
            },
          },
          response: {
            200: { description: 'One result per customer', content: { 'application/json': { schema: BatchResponse }, 'application/x-ndjson': { schema: BatchNdjsonResponse } } },
            ...commonProblems,
            404: Problem,
            503: Problem,
          },
        },
      },
      async (request, reply) => {
        const model = await app.services.assignment.resolveModel(request.query.model);
        const options: AssignOptions = { explain: request.query.explain, suggestQuestion: false };
        const score = (item: unknown, instance: string): Record<string, unknown> => {
          const parsed = AssignRequest.safeParse(item);
          if (!parsed.success) return { error: problemDocument('validation-error', 'the customer does not match AssignRequest', instance, fieldIssuesFromZod(parsed.error.issues, 'body')) };
          try {
            const assignment = app.services.assignment.assignWith(model, parsed.data.attributes, options);
            recordAssignment(assignment, parsed.data.customerId, parsed.data.attributes);
            return toAssignmentDto(assignment, { customerId: parsed.data.customerId, includeProbabilities: false });
          } catch (error) {
            return { error: itemProblem(error, instance, request.log) };
          }
        };
        // Validated against the schema of its media type: an array of at most MAX_BATCH_ITEMS, or the NDJSON stream.
        const body = request.body as z.infer<typeof BatchRequest> | Readable;
        if (body instanceof Readable) {
          const lines = scoreLines(
            body,
            (value, line) => {
              const result = score(value, `urn:request:${request.id}#line=${line}`);
              return JSON.stringify({ line, ...result });
            },
            `urn:request:${request.id}`,
          );
          // The reply's typed payload is the JSON form; a stream is sent as is (Fastify never serializes streams).
          return reply.type('application/x-ndjson').send(Readable.from(lines) as unknown as string);
        }
        const items = body.map((item, index) => ({ index, ...score(item, `urn:request:${request.id}#index=${index}`) }));
        return { model: { id: model.id, name: model.name, version: model.version }, items } as z.infer<typeof BatchResponse>;
      },
    );
  });
};

/** A per-item failure as a problem document; anything unexpected is logged and reported without detail. */
function itemProblem(error: unknown, instance: string, log: FastifyBaseLogger): ProblemDocument {
  if (error instanceof DomainError) return problemDocument(error.type, error.message, instance, error.errors);
  log.error({ err: error }, 'unexpected error while scoring a batch item');
  return problemDocument('internal-error', 'an unexpected error occurred; quote the instance to the operators', instance);
}

/**
 * NDJSON lines → result lines (`score` serializes one line's answer, without the newline). Pulls the request stream only as fast as the response is read
 * (for-await over the source, yielding one chunk of results per chunk of input), so memory stays
 * constant however many lines come. Lines count from 1; blank lines are skipped.
 */
export async function* scoreLines(
  source: AsyncIterable<Buffer | string>,
  score: (value: unknown, line: number) => string,
  instance: string,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 0;
  let isSkippingLongLine = false;
  const tooLong = () =>
    `${JSON.stringify({ line, error: problemDocument('payload-too-large', `line ${line} is longer than ${MAX_NDJSON_LINE_CHARS} characters`, `${instance}#line=${line}`) })}\n`;
  const answer = (text: string): string => {
    line++;
    if (text.length > MAX_NDJSON_LINE_CHARS) return tooLong();
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return '';
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      const reason = error instanceof SyntaxError ? error.message : 'unreadable';
      return `${JSON.stringify({ line, error: problemDocument('malformed-body', `line ${line} is not valid JSON: ${reason}`, `${instance}#line=${line}`) })}\n`;
    }
    return `${score(value, line)}\n`;
  };
  for await (const chunk of source) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let output = '';
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      if (isSkippingLongLine) isSkippingLongLine = false;
      else output += answer(text.slice(start, newline));
      start = newline + 1;
    }
    carry = text.slice(start);
    if (!isSkippingLongLine && carry.length > MAX_NDJSON_LINE_CHARS) {
      line++;
      output += tooLong();
      isSkippingLongLine = true;
    }
    if (isSkippingLongLine) carry = '';
    if (output !== '') yield output;
  }
  const rest = carry + decoder.end();
  if (!isSkippingLongLine && rest !== '') {
    const output = answer(rest);
    if (output !== '') yield output;
  }
}
