/**
 * A webhook receiver on loopback (node:http on port 0), as a subscriber would run one: it keeps every
 * request it gets (raw body, headers, arrival time) and answers with the status `answer` picks.
 * `verifySignature` checks Persona-Signature the way the README tells subscribers to, written here
 * independently of the service's code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  /** performance.now() when the body had arrived. */
  arrivedAtMs: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves when at least `count` requests arrived; rejects after `withinMs`. */
  waitFor(count: number, withinMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Status for the n-th request (0-based); default 200. A negative status hangs up without answering. */
  answer?: (index: number, request: ReceivedRequest) => number;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

export async function startWebhookReceiver({ answer = () => 200, delayMs = 0 }: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { arrivedAtMs: performance.now(), headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      const status = answer(received.length - 1, entry);
      setTimeout(() => {
        if (status < 0) request.socket.destroy();
        else response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver says no');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    async waitFor(count, withinMs = 10_000) {
      const deadline = performance.now() + withinMs;
      while (received.length < count) {
        if (performance.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} deliveries within ${withinMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A subscriber's check of `Persona-Signature: t=<seconds>,v1=<hex>`: HMAC-SHA256 of "<t>.<raw body>"
 * with the secret, compared in constant time, and a timestamp at most `toleranceSeconds` old.
 */
export function verifySignature(header: string | undefined, rawBody: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300): boolean {
  if (header === undefined) return false;
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(timestamp) || given === undefined || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  const givenBytes = Buffer.from(given, 'hex');
  return givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected);
}
