/** Shapes shared by several routes: the problem document, ids, paging. */
import { z } from 'zod';

export const FieldIssueSchema = z.object({
  location: z.enum(['body', 'query', 'params', 'headers']).describe('Part of the request the pointer refers to'),
  pointer: z.string().describe('JSON Pointer (RFC 6901) to the field within that part; records of CSV/NDJSON uploads count from 0'),
  code: z.string().describe('Machine-readable reason'),
  message: z.string(),
});

export const Problem = z
  .object({
    type: z.string().describe('Problem type URI (relative; GET it for a description)'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('Identifies this occurrence: urn:request:<request id>, also in the X-Request-Id header'),
    errors: z.array(FieldIssueSchema).optional().describe('Every field issue, for validation problems'),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details (media type application/problem+json)',
    examples: [
      {
        type: '/problems/validation-error',
        title: 'Your request is not valid',
        status: 400,
        detail: '1 field of the request is invalid',
        instance: 'urn:request:6f1c7a52-5a0e-4a8e-9a49-0c1f3f7d2b10',
        errors: [{ location: 'body', pointer: '/attributes/age', code: 'expected_number', message: '"age" must be a number' }],
      },
    ],
  });

/** Error responses every authenticated route can give. */
export const authProblems = { 401: Problem, 403: Problem, 429: Problem } as const;
export const commonProblems = { 400: Problem, ...authProblems, 500: Problem } as const;

export const IdParams = z.object({ id: z.uuid().describe('Resource id (UUID)') });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Items per page (1–500)'),
  offset: z.coerce.number().int().min(0).default(0).describe('Items to skip'),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe('Items matching, over all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

export const Timestamp = z.iso.datetime().describe('ISO 8601 date-time (UTC)');

/** A customer attribute value: JSON scalars only (null means missing). */
export const AttributeValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
