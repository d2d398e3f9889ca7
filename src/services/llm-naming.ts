/**
 * Optional LLM naming of personas through any OpenAI-compatible chat endpoint
 * (POST {baseUrl}/chat/completions): Ollama, vLLM, llama.cpp server, OpenAI itself.
 *
 * Only aggregates leave the service: per persona its index, its deterministic name, its share of
 * customers and the trait sentences the caller chose. The answer is validated strictly; anything
 * short of a complete, valid answer yields `result: null` and a one-line warning, so the caller keeps
 * the deterministic names. Nothing here throws or logs, and warnings never carry the API key, the URL
 * or the endpoint's reply.
 */
import { z } from 'zod';

export interface LlmNamingOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `http://127.0.0.1:11434/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey: string | null;
  /** Deadline for the whole exchange: connecting, waiting and reading the body. */
  timeoutMs: number;
  /** Injectable for tests; default: the global fetch. */
  fetch?: typeof fetch;
}

/** What the LLM sees of a persona: aggregates only, never customer rows. */
export interface PersonaForNaming {
  index: number;
  deterministicName: string;
  /** Share of customers in the persona, 0…1. */
  share: number;
  /** e.g. `{ feature: 'age', direction: 'lower', detail: 'age averages 27 against 45 overall (1.3 sd lower)' }` */
  traits: Array<{ feature: string; direction: 'higher' | 'lower' | 'category'; detail: string }>;
}

/** `names[i]` and `taglines[i]` belong to the persona with index i. */
export interface LlmNames {
  names: string[];
  taglines: string[];
}

export interface LlmNamingOutcome {
  result: LlmNames | null;
  /** Why `result` is null, in one line; null on success. */
  warning: string | null;
}

export interface NamingPrompt {
  system: string;
  user: string;
}

const MAX_NAME_LENGTH = 60;
const MAX_TAGLINE_LENGTH = 140;
/** A naming answer is a few hundred bytes; a reply far beyond that is not one, and is not parsed. */
const MAX_RESPONSE_CHARS = 1_000_000;

const SYSTEM_PROMPT = [
  'You name customer personas for a business team. Each persona is a segment of customers, described only by aggregate statistics compared with all customers.',
  `For every persona give a short, memorable, respectful name of 2 to 4 words (at most ${MAX_NAME_LENGTH} characters) and a one-line tagline (at most ${MAX_TAGLINE_LENGTH} characters).`,
  'Rules:',
  '- Base each name on the persona\'s traits; the current name is only a hint.',
  '- Never name or allude to real people, brands or fictional characters.',
  '- Never use a protected characteristic as a label: gender, sex, ethnicity, race, nationality, religion, health, disability, pregnancy or sexual orientation.',
  '- No slurs, mockery or stereotypes; describe behaviour and circumstances, not worth.',
  '- Every name must differ from the others.',
  'Answer with JSON only, in exactly this form, one entry per persona index and nothing else:',
  '{"personas":[{"index":0,"name":"…","tagline":"…"}]}',
].join('\n');

/**
 * The system and user messages for `personas`. The user message carries a JSON document built field
 * by field from the aggregates named in {@link PersonaForNaming}; any other property on the objects
 * passed in is left out.
 */
export function buildNamingPrompt(personas: readonly PersonaForNaming[]): NamingPrompt {
  const document = {
    personas: personas.map((persona) => ({
      index: persona.index,
      currentName: persona.deterministicName,
      shareOfCustomers: `${Math.round(persona.share * 100)}%`,
      traits: persona.traits.map((trait) => ({ feature: trait.feature, direction: trait.direction, detail: trait.detail })),
    })),
  };
  const user = [
    `Name these ${personas.length} personas. Traits compare each persona with all customers.`,
    JSON.stringify(document, null, 2),
  ].join('\n\n');
  return { system: SYSTEM_PROMPT, user };
}

/**
 * Asks the endpoint for a name and tagline per persona. Resolves, never rejects: `{ result, warning:
 * null }` on a complete valid answer, otherwise `{ result: null, warning }` (HTTP error, timeout,
 * network error, invalid JSON, failed validation). Personas must be indexed 0…n−1; an empty list
 * resolves to empty names without a request.
 */
export async function nameWithLlm(personas: readonly PersonaForNaming[], options: LlmNamingOptions): Promise<LlmNamingOutcome> {
  try {
    const problem = checkInput(personas, options);
    if (problem) return failure(problem, options.apiKey);
    if (personas.length === 0) return { result: { names: [], taglines: [] }, warning: null };
    const exchange = await postChat(personas, options);
    if (!exchange.isOk) return failure(exchange.reason, options.apiKey);
    const parsed = parseAnswer(exchange.body, personas.length);
    if (!parsed.isOk) return failure(parsed.reason, options.apiKey);
    return { result: parsed.names, warning: null };
  } catch {
    // Defensive: every expected failure is handled above; this keeps the "never throws" promise.
    return failure('unexpected error', options.apiKey);
  }
}

function checkInput(personas: readonly PersonaForNaming[], options: LlmNamingOptions): string | null {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) return 'timeout must be a positive number of milliseconds';
  if (options.model.trim() === '') return 'no model configured';
  const seen = new Set(personas.map((persona) => persona.index));
  const isDense = seen.size === personas.length && personas.every((persona) => Number.isInteger(persona.index) && persona.index >= 0 && persona.index < personas.length);
  return isDense ? null : 'persona indices must be 0…n−1, each once';
}

type Exchange = { isOk: true; body: string } | { isOk: false; reason: string };

async function postChat(personas: readonly PersonaForNaming[], options: LlmNamingOptions): Promise<Exchange> {
  const prompt = buildNamingPrompt(personas);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const body = JSON.stringify({
    model: options.model,
    temperature: 0,
    response_format: { type: 'json_object' },
    messages: [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ],
  });
  const fetchImpl = options.fetch ?? fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  // The race keeps the deadline even for an injected fetch that ignores the signal.
  const deadline = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('deadline')), { once: true }));
  try {
    return await Promise.race([
      (async (): Promise<Exchange> => {
        // An API endpoint has no reason to redirect, and following one could carry the key elsewhere.
        const response = await fetchImpl(chatUrl(options.baseUrl), { method: 'POST', headers, body, signal: controller.signal, redirect: 'error' });
        const text = await response.text();
        if (!response.ok) return { isOk: false, reason: `endpoint answered HTTP ${response.status}` };
        if (text.length > MAX_RESPONSE_CHARS) return { isOk: false, reason: 'response too large' };
        return { isOk: true, body: text };
      })(),
      deadline,
    ]);
  } catch (error) {
    if (controller.signal.aborted) return { isOk: false, reason: `no complete answer within ${options.timeoutMs} ms` };
    return { isOk: false, reason: `request failed (${networkCode(error)})` };
  } finally {
    clearTimeout(timer);
    // Settles the deadline promise so a still-pending exchange is abandoned, not left running.
    controller.abort();
  }
}

function chatUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

/** A stable code for a failed fetch (`ECONNREFUSED`, `ENOTFOUND`, …) without its message, which may quote the URL. */
function networkCode(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  return code && /^[A-Z0-9_]{2,40}$/.test(code) ? code : 'network error';
}

const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

/** One line: no control characters (newlines included). */
// eslint-disable-next-line no-control-regex
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

const NamingAnswer = z.object({
  personas: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      name: z.string().trim().min(1).max(MAX_NAME_LENGTH).regex(SINGLE_LINE),
      tagline: z.string().trim().min(1).max(MAX_TAGLINE_LENGTH).regex(SINGLE_LINE),
    }),
  ),
});

type Parsed = { isOk: true; names: LlmNames } | { isOk: false; reason: string };

function parseAnswer(body: string, personaCount: number): Parsed {
  const completion = ChatCompletion.safeParse(parseJson(body));
  if (!completion.success) return { isOk: false, reason: 'response is not a chat completion' };
  const content = completion.data.choices[0]!.message.content;
  const json = parseJson(content.trim()) ?? parseJson(fencedJson(content));
  if (json === undefined) return { isOk: false, reason: 'answer is not JSON' };
  const answer = NamingAnswer.safeParse(json);
  if (!answer.success) return { isOk: false, reason: `answer does not match the schema (${answer.error.issues[0]?.path.join('.') || 'root'})` };

  const names: string[] = new Array(personaCount);
  const taglines: string[] = new Array(personaCount);
  const usedNames = new Set<string>();
  for (const entry of answer.data.personas) {
    if (entry.index >= personaCount) return { isOk: false, reason: `answer names unknown persona ${entry.index}` };
    if (names[entry.index] !== undefined) return { isOk: false, reason: `answer names persona ${entry.index} twice` };
    const key = entry.name.toLowerCase();
    if (usedNames.has(key)) return { isOk: false, reason: 'answer repeats a name' };
    usedNames.add(key);
    names[entry.index] = entry.name;
    taglines[entry.index] = entry.tagline;
  }
  for (let index = 0; index < personaCount; index++) {
    if (names[index] === undefined) return { isOk: false, reason: `answer misses persona ${index}` };
  }
  return { isOk: true, names: { names, taglines } };
}

/** `JSON.parse` without throwing; undefined when the text is not JSON. */
function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The body of the first ```json (or bare ```) fenced block, for models that wrap their JSON. */
function fencedJson(content: string): string | null {
  const match = /```(?:json)?[ \t]*\r?\n?([\s\S]*?)```/i.exec(content);
  return match ? match[1]!.trim() : null;
}

function failure(reason: string, apiKey: string | null): LlmNamingOutcome {
  const warning = `LLM naming failed (${reason}); kept the deterministic names`;
  // Belt and braces: no reason quotes the key, but a key must never reach a log through a warning.
  return { result: null, warning: apiKey ? warning.split(apiKey).join('[redacted]') : warning };
}
