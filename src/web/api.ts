/**
 * The board's only way out: the public /v1 API, with the user's API key from session storage (gone
 * when the tab closes), or none when the service runs with AUTH_DISABLED.
 */
const KEY_STORAGE = 'persona-board.api-key';

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

/** True for the rejection of a call aborted because its view was left: nothing to show. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** A failed call: the service's problem+json (RFC 9457) when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly requestId: string | null;

  constructor(status: number, title: string, detail: string, requestId: string | null) {
    super(title);
    this.status = status;
    this.detail = detail;
    this.requestId = requestId;
  }

  /** What the user can do about it, in words. */
  get hint(): string {
    if (this.status === 0) return 'The service cannot be reached: check that it is running, then reload the page.';
    if (this.status === 401) return 'The service did not accept the API key (none, unknown or revoked): choose “API key” at the top and paste a valid key with the read scope (admin to edit).';
    if (this.status === 403) return 'Your API key lacks the scope this needs: ask for a key with the admin scope.';
    if (this.status === 404) return 'It may have been deleted: go back to Models and pick another version.';
    if (this.status === 409) return 'Someone changed it meanwhile: reload the page and try again.';
    if (this.status === 429) return 'Too many requests for now: wait a few seconds and try again.';
    if (this.status >= 500) return `The service had a problem: try again, and if it persists give the operators the request id ${this.requestId ?? '(none)'}.`;
    return 'Check the values you entered and try again.';
  }
}

interface Options {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A JSON body, or text sent with contentType. */
  body?: unknown;
  contentType?: string;
  /** Aborts the call (the view that asked was left): the promise then rejects with an AbortError. */
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = typeof options.body === 'string' && options.contentType ? options.body : JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(`/v1${path}`, { method: options.method ?? 'GET', headers, body, signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'Network error', 'the request did not reach the service', null);
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : null;
  if (!response.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string };
    throw new ApiError(response.status, problem.title ?? response.statusText, problem.detail ?? text.slice(0, 200), response.headers.get('x-request-id'));
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
