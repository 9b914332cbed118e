import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers one request: a status, or never (the sender must time out). */
export type Answer = number | 'hang';

export interface Received {
  id: string;
  timestamp: number;
  /** The parsed body, once its signature verified. */
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Date.now() when the request's body had arrived. */
  at: number;
  /** What the receiver answered. */
  answer: Answer;
}

/**
 * A real HTTP receiver, as a customer would write one: it verifies every request's Standard Webhooks signature with
 * the `standardwebhooks` package (an implementation independent of the server's), refuses a bad one with 401, and
 * answers what the test queues (200 once the queue is empty).
 */
export async function startReceiver() {
  let verifier: Webhook | null = null;
  const answers: Answer[] = [];
  const received: Received[] = [];
  const rejected: string[] = [];
  const hung = new Set<http.ServerResponse>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      let body: Received['body'];
      try {
        if (!verifier) throw new Error('no secret set');
        if (request.method !== 'POST' || request.headers['content-type'] !== 'application/json') throw new Error('not a JSON POST');
        body = verifier.verify(payload, request.headers as Record<string, string>) as Received['body'];
      } catch (error) {
        rejected.push((error as Error).message);
        response.writeHead(401).end();
        return;
      }
      const answer = answers.shift() ?? 200;
      received.push({
        id: String(request.headers['webhook-id']),
        timestamp: Number(request.headers['webhook-timestamp']),
        body,
        at: Date.now(),
        answer,
      });
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      if (answer === 'hang') {
        hung.add(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    rejected,
    /** The secret the next requests must be signed with (the one POST /webhooks answered). */
    useSecret(secret: string) {
      verifier = new Webhook(secret);
    },
    /** The answers to the next requests, in order. */
    answer(...next: Answer[]) {
      answers.push(...next);
    },
    /** Resolves once `count` verified requests have arrived in all; fails the test after `timeoutMs`. */
    waitFor(count: number, timeoutMs = 30_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the receiver got ${received.length} of ${count} requests (rejected: ${rejected.join('; ')})`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
