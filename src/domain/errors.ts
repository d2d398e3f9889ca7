/**
 * Domain errors: what went wrong in the service's own terms. plugins/problems.ts turns each into an
 * RFC 9457 problem document; the catalogue below is the single list of problem types, titles and
 * statuses (also published in the OpenAPI document and at GET /problems/{type}).
 */

export const PROBLEM_TYPES = {
  'validation-error': { status: 400, title: 'Your request is not valid', description: 'A field of the body, query string, path or headers failed validation; `errors` lists every issue with a JSON Pointer to the field.' },
  'malformed-body': { status: 400, title: 'The request body could not be parsed', description: 'The body is not well-formed JSON, NDJSON or CSV, or it nests deeper than the service accepts.' },
  'unauthorized': { status: 401, title: 'Authentication required', description: 'Send a valid API key as `Authorization: Bearer <key>`.' },
  'forbidden': { status: 403, title: 'Insufficient scope', description: 'The API key is valid but lacks the scope this operation needs (`assign`, `read` or `admin`).' },
  'not-found': { status: 404, title: 'Resource not found', description: 'No resource exists at this path or with this identifier.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The path exists but does not support this HTTP method.' },
  'conflict': { status: 409, title: 'Conflict with the current state', description: 'The request conflicts with the current state of the resource (for example deleting the active model version).' },
  'payload-too-large': { status: 413, title: 'Request body too large', description: 'The body exceeds the size limit of this route; the detail states the limit.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'The Content-Type is not one this route accepts.' },
  'unprocessable-data': { status: 422, title: 'The data cannot be used for this operation', description: 'The request is well-formed but the data it refers to cannot be used (for example too few customers for the requested number of personas).' },
  'rate-limited': { status: 429, title: 'Too many requests', description: 'The API key (or client address) exceeded its rate limit; retry after the number of seconds in the Retry-After header.' },
  'internal-error': { status: 500, title: 'Internal server error', description: 'An unexpected error occurred; the instance member carries the request id to quote to operators.' },
  'no-active-model': { status: 503, title: 'No active model', description: 'No segmentation model is active (or the requested one is not available); train one with POST /v1/models and activate it.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', description: 'A dependency such as the database is unreachable.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** Problem type URIs are relative references, resolved against the service (GET /problems/{type} documents each). */
export function problemTypeUri(type: ProblemType): string {
  return `/problems/${type}`;
}

/** One issue with one field: a JSON Pointer into the request part named by `location`. */
export interface FieldIssue {
  location: 'body' | 'query' | 'params' | 'headers';
  pointer: string;
  code: string;
  message: string;
}

export class DomainError extends Error {
  readonly type: ProblemType;
  readonly errors: readonly FieldIssue[] | undefined;

  constructor(type: ProblemType, detail: string, errors?: readonly FieldIssue[]) {
    super(detail);
    this.name = 'DomainError';
    this.type = type;
    this.errors = errors;
  }

  get status(): number {
    return PROBLEM_TYPES[this.type].status;
  }
}

export class ValidationError extends DomainError {
  constructor(detail: string, errors: readonly FieldIssue[]) {
    super('validation-error', detail, errors);
  }
}

export class NotFoundError extends DomainError {
  constructor(detail: string) {
    super('not-found', detail);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string) {
    super('conflict', detail);
  }
}

export class UnprocessableDataError extends DomainError {
  constructor(detail: string, errors?: readonly FieldIssue[]) {
    super('unprocessable-data', detail, errors);
  }
}

/** A background training stopped because someone cancelled its job (reported as a 409 on the job). */
export class JobCancelledError extends DomainError {
  constructor(detail = 'the job was cancelled') {
    super('conflict', detail);
    this.name = 'JobCancelledError';
  }
}

export class NoActiveModelError extends DomainError {
  constructor(detail: string) {
    super('no-active-model', detail);
  }
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function jsonPointer(...tokens: Array<string | number>): string {
  return tokens.map((token) => `/${pointerToken(token)}`).join('');
}

/** An RFC 9457 problem document. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldIssue[];
}

export function problemDocument(type: ProblemType, detail: string, instance: string, errors?: readonly FieldIssue[]): ProblemDocument {
  const { status, title } = PROBLEM_TYPES[type];
  const body: ProblemDocument = { type: problemTypeUri(type), title, status, detail, instance };
  if (errors && errors.length > 0) body.errors = [...errors];
  return body;
}

export interface ZodIssueLike {
  code?: string;
  path?: PropertyKey[];
  message?: string;
  keys?: string[];
  errors?: ZodIssueLike[][];
}

/**
 * Zod reports a failed union as one issue at the union's root; descend into the branch that got
 * furthest (its issues have the longest paths), so the pointer names the actual bad field.
 */
export function flattenIssue(issue: ZodIssueLike, basePath: PropertyKey[]): Array<{ path: PropertyKey[]; code: string; message: string }> {
  const path = [...basePath, ...(issue.path ?? [])];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const depth = (branch: ZodIssueLike[]) => Math.max(...branch.map((i) => i.path?.length ?? 0));
    const deepest = issue.errors.reduce((best, branch) => (depth(branch) > depth(best) ? branch : best));
    if (depth(deepest) > 0) return deepest.flatMap((nested) => flattenIssue(nested, path));
  }
  // Unrecognized keys: point at each offending key rather than at their parent object.
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((key) => ({ path: [...path, key], code: 'unrecognized_key', message: `unknown field "${key}"` }));
  }
  return [{ path, code: issue.code ?? 'invalid', message: issue.message ?? 'is invalid' }];
}

/** Zod issues (a failed safeParse) as field issues under `location`, with pointers from `basePath`. */
export function fieldIssuesFromZod(issues: readonly ZodIssueLike[], location: FieldIssue['location'], basePath: PropertyKey[] = []): FieldIssue[] {
  return issues.flatMap((issue) =>
    flattenIssue(issue, basePath).map(({ path, code, message }) => ({
      location,
      pointer: jsonPointer(...path.map((token) => (typeof token === 'symbol' ? token.toString() : token))),
      code,
      message,
    })),
  );
}
