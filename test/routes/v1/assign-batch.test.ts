/** POST /v1/assign/batch: a JSON array of customers, or NDJSON streamed in and out. */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreLines } from '../../../src/routes/v1/assign.ts';
import { BatchResponse } from '../../../src/schemas/assign.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../../helpers/factories.ts';

const customerOf = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });

describe('POST /v1/assign/batch', () => {
  let t: TestApp;
  let model: { id: string; version: number; personas: Array<{ id: string }> };

  beforeAll(async () => {
    t = await buildTestApp();
    ({ model } = await trainSegmentModel(t.app, t.admin, { name: 'batch-model' }));
  });
  afterAll(async () => t.close());

  const ndjson = (payload: string | Readable, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/assign/batch${query}`, headers: { ...t.admin, 'content-type': 'application/x-ndjson' }, payload });
  const lines = (body: string) =>
    body
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown> & { line: number });

  describe('JSON array', () => {
    it('answers one item per customer in order, each the same as /v1/assign would give', async () => {
      const items = [0, 1, 2].map((s) => ({ customerId: `c-${s}`, attributes: customerOf(s) }));
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign/batch', headers: t.admin, payload: items });
      expect(response.statusCode, response.body).toBe(200);
      const body = BatchResponse.parse(response.json());
      expect(body.model).toMatchObject({ id: model.id, version: model.version });
      for (const [index, item] of body.items.entries()) {
        const single = (await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: items[index] })).json();
        const { nextQuestion: _question, ...expected } = single;
        expect(item).toEqual({ index, ...expected });
      }
    });

    it('reports a customer that does not fit the model inline, with its pointer, and scores the others', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/assign/batch',
        headers: t.admin,
        payload: [{ attributes: customerOf(0) }, { attributes: { shoe_size: 44 } }, { attributes: { age: 'old' } }, { attributes: customerOf(2) }],
      });
      expect(response.statusCode).toBe(200);
      const { items } = response.json();
      expect(items.map((item: { error?: unknown }) => item.error === undefined)).toEqual([true, false, false, true]);
      expect(items[1].error).toMatchObject({ status: 400, type: '/problems/validation-error', errors: [{ pointer: '/attributes/shoe_size', code: 'unknown_feature' }] });
      expect(items[2].error.errors[0]).toMatchObject({ pointer: '/attributes/age', code: 'expected_number' });
      expect(items[2].error.instance).toMatch(/^urn:request:.+#index=2$/);
    });

    it('rejects more customers than the stated limit, pointing at the body', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign/batch', headers: t.admin, payload: Array.from({ length: 1_001 }, () => ({ attributes: { age: 30 } })) });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json().errors[0]).toMatchObject({ location: 'body', pointer: '', code: 'too_big' });
    });

    it('explains every item with ?explain=true', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/assign/batch?explain=true', headers: t.admin, payload: [{ attributes: customerOf(1) }] });
      expect(response.json().items[0].explanation.features.length).toBe(4);
    });
  });

  describe('NDJSON', () => {
    it('answers line by line; a malformed line mid-stream gets an error record and the stream goes on', async () => {
      const body = [
        JSON.stringify({ customerId: 'a', attributes: customerOf(0) }),
        '{"customerId": "b", "attributes": {',
        '',
        JSON.stringify({ customerId: 'c', attributes: { shoe_size: 3 } }),
        JSON.stringify({ customerId: 'd', attributes: customerOf(2) }),
        JSON.stringify({ attributes: customerOf(1), colour: 'red' }),
        JSON.stringify({ customerId: 'e', attributes: customerOf(1) }),
      ].join('\r\n');
      const response = await ndjson(body);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const results = lines(response.body);
      expect(results.map((result) => result.line)).toEqual([1, 2, 4, 5, 6, 7]);
      expect(results.map((result) => result.customerId ?? null)).toEqual(['a', null, null, 'd', null, 'e']);
      expect(results[1]!.error).toMatchObject({ type: '/problems/malformed-body', status: 400, detail: expect.stringMatching(/^line 2 is not valid JSON/) });
      expect(results[2]!.error).toMatchObject({ errors: [{ pointer: '/attributes/shoe_size' }] });
      expect(results[4]!.error).toMatchObject({ errors: [{ pointer: '/colour', code: 'unrecognized_key' }] });
      for (const index of [0, 3, 5]) expect(results[index]).toMatchObject({ model: { id: model.id }, persona: { id: expect.any(String) }, confidence: expect.any(Number) });
    });

    it('answers each line with exactly the item the JSON form gives, explanations included', async () => {
      const customers = [0, 1, 2].map((s) => ({ customerId: `same-${s}`, attributes: { ...customerOf(s), home_ownership: s === 1 ? 'castle' : customerOf(s).home_ownership } }));
      const json = (await t.app.inject({ method: 'POST', url: '/v1/assign/batch?explain=true', headers: t.admin, payload: customers })).json().items;
      const streamed = lines((await ndjson(customers.map((c) => JSON.stringify(c)).join('\n'), '?explain=true')).body);
      expect(streamed.map(({ line, ...rest }) => ({ index: line - 1, ...rest }))).toEqual(json);
      expect(json[1].warnings).toHaveLength(1);
    });

    it('streams thousands of lines with one model version, and a line without a final newline counts', async () => {
      const count = 20_000;
      async function* source() {
        for (let i = 0; i < count; i += 500) {
          yield Array.from({ length: Math.min(500, count - i) }, (_, j) => JSON.stringify({ customerId: `n-${i + j}`, attributes: customerOf((i + j) % 3) })).join('\n') + (i + 500 < count ? '\n' : '');
        }
      }
      const response = await ndjson(Readable.from(source()));
      expect(response.statusCode).toBe(200);
      const results = lines(response.body);
      expect(results).toHaveLength(count);
      expect(results.at(-1)).toMatchObject({ line: count, customerId: `n-${count - 1}` });
      expect(new Set(results.map((result) => (result.model as { version: number }).version))).toEqual(new Set([model.version]));
      expect(results.filter((result) => 'error' in result)).toEqual([]);
    });

    it('answers a line longer than the limit with an error record and reads on', async () => {
      const long = JSON.stringify({ attributes: { age: 30 }, customerId: 'x'.repeat(1_100_000) });
      const response = await ndjson([long, JSON.stringify({ attributes: customerOf(0) })].join('\n'));
      const results = lines(response.body);
      expect(results.map((result) => result.line)).toEqual([1, 2]);
      expect(results[0]!.error).toMatchObject({ type: '/problems/payload-too-large' });
      expect(results[1]).toMatchObject({ persona: { id: expect.any(String) } });
    });

    it('also catches an over-long line that arrives in many chunks', async () => {
      const long = JSON.stringify({ attributes: { age: 30 }, customerId: 'x'.repeat(1_100_000) });
      const text = `${long}\n${JSON.stringify({ attributes: customerOf(0) })}\n`;
      const chunks = Array.from({ length: Math.ceil(text.length / 65_536) }, (_, i) => text.slice(i * 65_536, (i + 1) * 65_536));
      const results = lines((await ndjson(Readable.from(chunks))).body);
      expect(results.map((result) => [result.line, 'error' in result])).toEqual([
        [1, true],
        [2, false],
      ]);
    });

    it('pulls the input only as fast as the results are read (backpressure)', async () => {
      let pulled = 0;
      async function* endless() {
        for (;;) {
          pulled++;
          yield `${JSON.stringify({ attributes: { age: 30 } })}\n`.repeat(100);
        }
      }
      const results = scoreLines(endless(), (value) => JSON.stringify({ echoed: value }), 'urn:test');
      for (let i = 0; i < 3; i++) await results.next();
      await results.return(undefined);
      expect(pulled).toBe(3);
    });

    it('answers the first lines before the request has ended (streaming, not buffering)', async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      const firstLine = await new Promise<string>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/assign/batch', headers: { ...t.admin, 'content-type': 'application/x-ndjson' } }, (response) => {
          response.setEncoding('utf8');
          let received = '';
          response.on('data', (chunk: string) => {
            received += chunk;
            if (received.includes('\n')) {
              resolve(received.split('\n')[0]!);
              request.destroy();
            }
          });
        });
        request.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
        // The request body stays open: the answer to line 1 can only come from streaming.
        request.write(`${JSON.stringify({ customerId: 'early', attributes: customerOf(1) })}\n`);
      });
      expect(JSON.parse(firstLine)).toMatchObject({ line: 1, customerId: 'early' });
    });

    it('resolves the model before streaming: an unknown model is a plain 404 problem', async () => {
      const response = await ndjson(`${JSON.stringify({ attributes: customerOf(0) })}\n`, '?model=no-such-model');
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    });
  });
});
