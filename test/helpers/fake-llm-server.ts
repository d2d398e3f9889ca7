/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) standing in for an OpenAI-compatible endpoint:
 * it records every request and answers as the test configures, including slowly.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  text: string;
}

export interface FakeReply {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait this long before sending the status line. */
  delayHeadersMs?: number;
  /** Send the status line and the first half of the body, then wait this long before the rest. */
  stallBodyMs?: number;
}

export interface FakeLlmServer {
  /** e.g. http://127.0.0.1:41234/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Sets the reply to every following request. */
  reply(reply: FakeReply): void;
  close(): Promise<void>;
}

/** An OpenAI chat-completion body whose single message has `content`. */
export function chatCompletion(content: string): unknown {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model: 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
}

export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let current: FakeReply = { status: 200, body: chatCompletion('{"personas":[]}') };
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, json, text });

      const reply = current;
      const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      const send = () => {
        response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        if (reply.stallBodyMs === undefined) {
          response.end(payload);
          return;
        }
        const half = Math.floor(payload.length / 2);
        response.write(payload.slice(0, half));
        later(reply.stallBodyMs, () => response.end(payload.slice(half)));
      };
      if (reply.delayHeadersMs === undefined) send();
      else later(reply.delayHeadersMs, send);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(reply) {
      current = reply;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
