import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNamingPrompt, nameWithLlm } from '../../src/services/llm-naming.ts';
import type { LlmNamingOptions, PersonaForNaming } from '../../src/services/llm-naming.ts';
import { chatCompletion, startFakeLlmServer } from '../helpers/fake-llm-server.ts';
import type { FakeLlmServer } from '../helpers/fake-llm-server.ts';

const API_KEY = 'sk-test-0123456789abcdef';

const PERSONAS: PersonaForNaming[] = [
  {
    index: 0,
    deterministicName: 'Young Urban Renters',
    share: 0.42,
    traits: [
      { feature: 'age', direction: 'lower', detail: 'Age averages 27 against 45 overall (1.3 sd lower)' },
      { feature: 'home_ownership', direction: 'category', detail: 'Home Ownership is rent for 88% (31% overall)' },
    ],
  },
  {
    index: 1,
    deterministicName: 'Senior Affluent Customers',
    share: 0.35,
    traits: [{ feature: 'income', direction: 'higher', detail: 'Income averages 91,200 against 52,000 overall (1.6 sd higher)' }],
  },
  {
    index: 2,
    deterministicName: 'Mainstream Customers',
    share: 0.23,
    traits: [],
  },
];

const VALID_ANSWER = {
  personas: [
    { index: 2, name: 'Steady Middle Ground', tagline: 'Close to the average on everything.' },
    { index: 0, name: 'City Starters', tagline: 'Young renters building their first policies.' },
    { index: 1, name: 'Comfortable Planners', tagline: 'Higher incomes, long horizons.' },
  ],
};

let server: FakeLlmServer;

beforeAll(async () => {
  server = await startFakeLlmServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
  server.reply({ status: 200, body: chatCompletion(JSON.stringify(VALID_ANSWER)) });
});

function options(overrides: Partial<LlmNamingOptions> = {}): LlmNamingOptions {
  return { baseUrl: server.baseUrl, model: 'llama3.1:8b', apiKey: API_KEY, timeoutMs: 2_000, ...overrides };
}

function answerWith(personas: unknown[]): void {
  server.reply({ status: 200, body: chatCompletion(JSON.stringify({ personas })) });
}

/** The request body the fake server received, as the chat-completion shape we send. */
function sentBody(): { model: string; temperature: number; response_format: unknown; messages: Array<{ role: string; content: string }> } {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!.json as ReturnType<typeof sentBody>;
}

/** The JSON document the user message carries after its one-line introduction. */
function documentIn(user: string): unknown {
  return JSON.parse(user.slice(user.indexOf('{')));
}

describe('nameWithLlm', () => {
  it('returns the names and taglines by persona index from a valid answer', async () => {
    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({
      result: {
        names: ['City Starters', 'Comfortable Planners', 'Steady Middle Ground'],
        taglines: ['Young renters building their first policies.', 'Higher incomes, long horizons.', 'Close to the average on everything.'],
      },
      warning: null,
    });
  });

  it('posts a deterministic JSON-mode chat completion to {baseUrl}/chat/completions', async () => {
    await nameWithLlm(PERSONAS, options({ baseUrl: `${server.baseUrl}/` }));

    const request = server.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers['content-type']).toBe('application/json');
    const body = sentBody();
    expect(body.temperature).toBe(0);
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user']);
  });

  it('sends the configured model name', async () => {
    await nameWithLlm(PERSONAS, options({ model: 'qwen2.5:7b-instruct' }));

    expect(sentBody().model).toBe('qwen2.5:7b-instruct');
  });

  it('sends the API key as a bearer token when one is given', async () => {
    await nameWithLlm(PERSONAS, options());

    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('sends no authorization header without an API key', async () => {
    const outcome = await nameWithLlm(PERSONAS, options({ apiKey: null }));

    expect(outcome.warning).toBeNull();
    expect(server.requests[0]!.headers).not.toHaveProperty('authorization');
  });

  it('accepts an answer wrapped in a fenced json block', async () => {
    server.reply({ status: 200, body: chatCompletion(`Here you go:\n\`\`\`json\n${JSON.stringify(VALID_ANSWER)}\n\`\`\`\n`) });

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome.warning).toBeNull();
    expect(outcome.result?.names).toEqual(['City Starters', 'Comfortable Planners', 'Steady Middle Ground']);
  });

  it('trims surrounding spaces from names and taglines', async () => {
    answerWith([
      { index: 0, name: '  City Starters ', tagline: ' First homes ahead. ' },
      { index: 1, name: 'Comfortable Planners', tagline: 'Long horizons.' },
      { index: 2, name: 'Steady Middle Ground', tagline: 'Average on everything.' },
    ]);

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome.result?.names[0]).toBe('City Starters');
    expect(outcome.result?.taglines[0]).toBe('First homes ahead.');
  });

  it('names an empty list of personas without asking the endpoint', async () => {
    const outcome = await nameWithLlm([], options());

    expect(outcome).toEqual({ result: { names: [], taglines: [] }, warning: null });
    expect(server.requests).toHaveLength(0);
  });
});

describe('nameWithLlm falling back to the deterministic names', () => {
  it('falls back with the status when the endpoint answers HTTP 500', async () => {
    server.reply({ status: 500, body: { error: { message: `invalid key ${API_KEY}` } } });

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome.result).toBeNull();
    expect(outcome.warning).toMatch(/HTTP 500/);
    expect(outcome.warning).not.toContain(API_KEY);
  });

  it('falls back when the endpoint does not answer within the timeout', async () => {
    server.reply({ status: 200, body: chatCompletion(JSON.stringify(VALID_ANSWER)), delayHeadersMs: 5_000 });

    const outcome = await nameWithLlm(PERSONAS, options({ timeoutMs: 200 }));

    expect(outcome.result).toBeNull();
    expect(outcome.warning).toMatch(/within 200 ms/);
    expect(server.requests).toHaveLength(1);
  });

  it('counts reading the body against the timeout', async () => {
    server.reply({ status: 200, body: chatCompletion(JSON.stringify(VALID_ANSWER)), stallBodyMs: 5_000 });

    const outcome = await nameWithLlm(PERSONAS, options({ timeoutMs: 200 }));

    expect(outcome.result).toBeNull();
    expect(outcome.warning).toMatch(/within 200 ms/);
  });

  it('keeps the deadline even when an injected fetch ignores the abort signal', async () => {
    const hangingFetch = (() => new Promise<Response>(() => {})) as typeof fetch;

    const outcome = await nameWithLlm(PERSONAS, options({ timeoutMs: 50, fetch: hangingFetch }));

    expect(outcome.result).toBeNull();
    expect(outcome.warning).toMatch(/within 50 ms/);
  });

  it('falls back with the error code when nothing listens at the address', async () => {
    const closed = await startFakeLlmServer();
    await closed.close();

    const outcome = await nameWithLlm(PERSONAS, options({ baseUrl: closed.baseUrl }));

    expect(outcome.result).toBeNull();
    expect(outcome.warning).toMatch(/ECONNREFUSED/);
    expect(outcome.warning).not.toContain('127.0.0.1');
  });

  it('falls back when the body is not JSON', async () => {
    server.reply({ status: 200, body: '<html>502 Bad Gateway</html>' });

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/not a chat completion/) });
  });

  it('falls back when the message content is not JSON', async () => {
    server.reply({ status: 200, body: chatCompletion('City Starters, Comfortable Planners, Steady Middle Ground') });

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/not JSON/) });
  });

  it('falls back when a persona index is missing from the answer', async () => {
    answerWith(VALID_ANSWER.personas.filter((entry) => entry.index !== 1));

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/misses persona 1/) });
  });

  it('falls back when a persona index appears twice', async () => {
    answerWith([...VALID_ANSWER.personas, { index: 0, name: 'Second Thoughts', tagline: 'Again.' }]);

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/persona 0 twice/) });
  });

  it('falls back when the answer names a persona that does not exist', async () => {
    answerWith([...VALID_ANSWER.personas, { index: 3, name: 'Phantom Segment', tagline: 'Not there.' }]);

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/unknown persona 3/) });
  });

  it('falls back when two names are the same ignoring case', async () => {
    answerWith([
      { index: 0, name: 'City Starters', tagline: 'One.' },
      { index: 1, name: 'city starters', tagline: 'Two.' },
      { index: 2, name: 'Steady Middle Ground', tagline: 'Three.' },
    ]);

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/repeats a name/) });
  });

  it.each([
    ['an empty name', { name: '   ' }],
    ['a name over 60 characters', { name: 'N'.repeat(61) }],
    ['a name on two lines', { name: 'City\nStarters' }],
    ['a tagline over 140 characters', { tagline: 't'.repeat(141) }],
    ['a missing tagline', { tagline: undefined }],
    ['a fractional index', { index: 0.5 }],
  ])('falls back on %s', async (_case, change) => {
    answerWith([{ ...VALID_ANSWER.personas[1], ...change }, VALID_ANSWER.personas[0], VALID_ANSWER.personas[2]]);

    const outcome = await nameWithLlm(PERSONAS, options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/does not match the schema/) });
  });

  it('falls back without a request when persona indices are not 0…n−1', async () => {
    const outcome = await nameWithLlm([{ ...PERSONAS[0]!, index: 1 }, PERSONAS[1]!], options());

    expect(outcome).toEqual({ result: null, warning: expect.stringMatching(/indices/) });
    expect(server.requests).toHaveLength(0);
  });

  it('resolves with a warning instead of throwing when fetch itself throws', async () => {
    const throwingFetch = (() => {
      throw new Error(`boom ${API_KEY}`);
    }) as typeof fetch;

    const outcome = await nameWithLlm(PERSONAS, options({ fetch: throwingFetch }));

    expect(outcome.result).toBeNull();
    expect(outcome.warning).toMatch(/request failed/);
    expect(outcome.warning).not.toContain(API_KEY);
  });
});

describe('buildNamingPrompt', () => {
  it('asks for short, respectful names and taglines as strict JSON', () => {
    const { system } = buildNamingPrompt(PERSONAS);

    expect(system).toMatch(/2 to 4 words/);
    expect(system).toMatch(/real people/);
    expect(system).toMatch(/protected characteristic/);
    expect(system).toContain('{"personas":[{"index":0,"name":"…","tagline":"…"}]}');
  });

  it('carries exactly the aggregates given and drops any other property', () => {
    const withRows = PERSONAS.map((persona) => ({
      ...persona,
      rows: [{ customer_id: 'C-000417', email: 'someone@example.com', age: 27 }],
      centroid: [0.123456, -1.987654],
    }));

    const { user } = buildNamingPrompt(withRows);

    expect(documentIn(user)).toEqual({
      personas: [
        { index: 0, currentName: 'Young Urban Renters', shareOfCustomers: '42%', traits: PERSONAS[0]!.traits },
        { index: 1, currentName: 'Senior Affluent Customers', shareOfCustomers: '35%', traits: PERSONAS[1]!.traits },
        { index: 2, currentName: 'Mainstream Customers', shareOfCustomers: '23%', traits: [] },
      ],
    });
    expect(user).not.toMatch(/C-000417|someone@example\.com|customer_id|0\.123456/);
  });
});

describe('nameWithLlm request content', () => {
  it('sends the traits\' detail sentences and nothing from customer rows', async () => {
    const withRows = PERSONAS.map((persona) => ({ ...persona, rows: [{ customer_id: 'C-000417', email: 'someone@example.com' }] }));

    await nameWithLlm(withRows, options());

    const { messages } = sentBody();
    const document = documentIn(messages[1]!.content) as { personas: Array<{ traits: Array<{ detail: string }> }> };
    const sentDetails = document.personas.flatMap((persona) => persona.traits.map((trait) => trait.detail));
    expect(sentDetails).toEqual(PERSONAS.flatMap((persona) => persona.traits.map((trait) => trait.detail)));
    expect(server.requests[0]!.text).not.toMatch(/C-000417|someone@example\.com|customer_id|rows/);
    expect(messages[0]!.content).toBe(buildNamingPrompt(PERSONAS).system);
  });
});
