import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { freePort } from '../harness/free-port.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { keyPerSuite, serverPerSuite } from '../harness/server-per-suite.ts';
import { RENDERER_NOT_DEPLOYED } from '../../src/domain/errors.ts';

/** The server's JSON log lines, as written. */
function logCapture() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) }, parsed: () => lines.map((l) => JSON.parse(l)) };
}

function connect(server: TestServer): Promise<net.Socket> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with everything the server sent once it closes the connection. */
function closedByServer(socket: net.Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

/** Writes `piece` every 50 ms until the server closes the socket; fails if it never does. */
async function trickleUntilClosed(socket: net.Socket, piece: string): Promise<string> {
  const closed = closedByServer(socket);
  let open = true;
  void closed.then(() => (open = false));
  // A generous bound against a hang, not a speed test: the server's limit in these tests is 300 ms.
  for (let i = 0; i < 400 && open; i++) {
    socket.write(piece);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(open).toBe(false);
  return closed;
}

describe.each(STORE_KINDS)('what reaches the log (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  const log = logCapture();
  beforeAll(async () => {
    server = await startTestServer(kind, {}, { logger: { level: 'info', stream: log.stream } });
    owner = await server.makeKey('owner', 'org');
  });
  afterAll(() => server.close());

  it('never logs an API key secret or a session token, wherever a client puts it in the URL', async () => {
    const secret = owner.key;
    const token = `lst_${'Z9'.repeat(20)}`;
    const viewerToken = `lsv_${'Y8'.repeat(20)}`;
    const before = log.lines.length;
    const calls: [string, string, string?][] = [
      ['GET', `/api/v1/avatars?api_key=${secret}&limit=5`],
      ['GET', `/api/v1/avatars?name=${secret}`],
      ['GET', `/api/v1/avatars?api_key=sk%5F${secret.slice(3)}`],
      ['GET', `/api/v1/avatars/${secret}`],
      ['GET', `/healthz?token=${token}`],
      ['POST', `/api/v1/sessions/ses_0000000000000000/whep?token=${token}`, 'v=0\r\n'],
      ['GET', '/nothing-here?password=hunter2-hunter2&access_token=abc123def456&Session=s3ss10n-value'],
      ['GET', `/live?v=${viewerToken}`],
    ];
    for (const [method, url, sdp] of calls) {
      await server.api(method, url, { key: owner, ...(sdp ? { raw: sdp, headers: { 'content-type': 'application/sdp' } } : {}) });
    }
    // "request completed" is written after the answer leaves; wait for all of them.
    await expect
      .poll(
        () =>
          log
            .parsed()
            .slice(before)
            .filter((l) => l.msg === 'request completed').length,
      )
      .toBe(calls.length);
    const text = log.lines.slice(before).join('');
    for (const leaked of [secret.slice(3), token.slice(4), viewerToken.slice(4), 'hunter2-hunter2', 'abc123def456', 's3ss10n-value']) {
      expect(text).not.toContain(leaked);
    }
    // Logged all the same, with what is not a secret kept.
    const urls = log
      .parsed()
      .slice(before)
      .filter((l) => l.req)
      .map((l) => l.req.url);
    expect(urls).toContain('/api/v1/avatars?api_key=[redacted]&limit=5');
    expect(urls).toContain('/api/v1/avatars?name=[redacted]');
    expect(urls).toContain('/healthz?token=[redacted]');
    expect(urls).toContain('/api/v1/sessions/ses_0000000000000000/whep?token=[redacted]');
    expect(urls).toContain('/api/v1/avatars/sk_[redacted]');
    expect(urls).toContain('/nothing-here?password=[redacted]&access_token=[redacted]&Session=[redacted]');
    expect(urls).toContain('/live?v=[redacted]');
  });

  it('logs a POST the client aborts mid-body as aborted by the client, not as a database outage', async () => {
    const before = log.lines.length;
    // The server's own request object tells when it has started reading the body: abort exactly then.
    const reading = new Promise<http.IncomingMessage>((resolve) =>
      server.server.app.server.once('request', (req: http.IncomingMessage) => resolve(req)),
    );
    const socket = await connect(server);
    socket.on('error', () => {});
    socket.write(
      'POST /api/v1/avatars HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `X-API-Key: ${owner.key}\r\nContent-Length: 1000\r\n\r\n{"name":"${'x'.repeat(50)}`,
    );
    const req = await reading;
    await expect.poll(() => req.listenerCount('data')).toBeGreaterThan(0);
    socket.destroy();
    await expect
      .poll(() =>
        log
          .parsed()
          .slice(before)
          .some((l) => l.code === 'request-aborted'),
      )
      .toBe(true);
    const lines = log.parsed().slice(before);
    expect(lines.find((l) => l.code === 'request-aborted')).toMatchObject({
      level: 30,
      msg: 'The client closed the connection before the request was answered.',
    });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/database/i);
    // The API is none the worse.
    expect((await server.api('GET', '/api/v1/avatars', { key: owner })).status).toBe(200);
  });
});

describe.each(STORE_KINDS)('a 503 for a rendering container says why in `reason` (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  let silent: http.Server;
  beforeAll(async () => {
    // Quiet reconciler: the deployment row the test writes stays as written.
    server = await startTestServer(kind, { PREVIEW_TIMEOUT_MS: '300', RECONCILE_INTERVAL_MS: '60000' });
    owner = await server.makeKey('owner', 'org');
    // A rendering container that accepts the preview request and never answers it.
    silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    silent.closeAllConnections();
    silent.close();
    await server.close();
  });

  it('keeps the contract\'s sentence, and says "not deployed" or "timed out" in reason', async () => {
    const a = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'P', tier: 'animated_portrait' } })).body;
    const notDeployed = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
    expectError(notDeployed, 503, 'service-unavailable');
    expect(notDeployed.body).toMatchObject({ error: RENDERER_NOT_DEPLOYED, reason: 'The avatar is not deployed.' });

    await server.server.loop.settle();
    const now = new Date().toISOString();
    await server.server.services.store.deployments.upsert({
      avatarId: a._id,
      desired: 'running',
      state: 'running',
      since: now,
      restarts: 0,
      lastError: null,
      endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      secret: 'x',
      lastUsedAt: now,
      nextAttemptAt: null,
    });
    const timedOut = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
    expectError(timedOut, 503, 'service-unavailable');
    expect(timedOut.body.error).toBe(RENDERER_NOT_DEPLOYED);
    expect(timedOut.body.reason).toBe('The rendering container did not finish the preview within 300 ms (PREVIEW_TIMEOUT_MS).');
  });
});

describe('slow and idle clients are cut off', () => {
  const server = serverPerSuite('sqlite', {
    HTTP_HEADERS_TIMEOUT_MS: '300',
    HTTP_REQUEST_TIMEOUT_MS: '300',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
  });
  const owner = keyPerSuite(server, 'owner', 'org');

  it('closes a connection that sends its headers slowly, with 408', async () => {
    const socket = await connect(server);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const answer = await trickleUntilClosed(socket, 'X-Slow: a\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection that sends its body slowly, with 408', async () => {
    const socket = await connect(server);
    // With a key, so the server reads the body rather than answering 401 first.
    socket.write(
      `POST /api/v1/avatars HTTP/1.1\r\nHost: x\r\nX-API-Key: ${owner.key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
    );
    const answer = await trickleUntilClosed(socket, ' ');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a kept-alive connection that stays idle after its answer', async () => {
    const socket = await connect(server);
    const closed = closedByServer(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await closed).toMatch(/^HTTP\/1\.1 200[\s\S]*"status":"ok"/);
  });
});

describe('a connection that sends nothing at all', () => {
  // Head and request limits far away, so only the idle limit can close it.
  const server = serverPerSuite('sqlite', {
    HTTP_IDLE_TIMEOUT_MS: '300',
    HTTP_HEADERS_TIMEOUT_MS: '600000',
    HTTP_REQUEST_TIMEOUT_MS: '600000',
  });

  it('is closed after HTTP_IDLE_TIMEOUT_MS', async () => {
    expect(await closedByServer(await connect(server))).toBe('');
  });
});

describe('a cap on open connections', () => {
  const server = serverPerSuite('sqlite', { HTTP_MAX_CONNECTIONS: '2' });

  it('closes connections past HTTP_MAX_CONNECTIONS at once, and takes new ones when some close', async () => {
    const held = [await connect(server), await connect(server)];
    // The server counts a connection once it has accepted it: a request answered on each proves both are counted.
    for (const socket of held) {
      const answered = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await answered).toMatch(/^HTTP\/1\.1 200/);
    }
    const refused = await connect(server);
    const refusedAnswer = closedByServer(refused);
    refused.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await refusedAnswer).toBe('');
    for (const socket of held) socket.destroy();
    await expect
      .poll(async () => {
        const socket = await connect(server);
        const answer = closedByServer(socket);
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        return answer;
      })
      .toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('who may read /metrics', () => {
  const TOKEN = 'a-metrics-token-of-enough-length';

  it('serves no metrics on the API port by default', async () => {
    const server = await startTestServer('sqlite');
    try {
      expectError(await server.api('GET', '/metrics'), 404, 'not-found');
    } finally {
      await server.close();
    }
  });

  it('with METRICS_TOKEN, serves them on the API port to that bearer token only', async () => {
    const server = await startTestServer('sqlite', { METRICS_TOKEN: TOKEN });
    try {
      const none = await server.api('GET', '/metrics');
      expectError(none, 401, 'unauthorized');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectError(await server.api('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } }), 401, 'unauthorized');
      expectError(await server.api('GET', '/metrics', { headers: { authorization: TOKEN } }), 401, 'unauthorized');
      const metrics = await server.api('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/http_requests_total\{method="GET",route="\/metrics",status="401"\} 3/);
    } finally {
      await server.close();
    }
  });

  it('with METRICS_PORT, serves them on their own listener, loopback only by default, and not on the API port', async () => {
    const port = await freePort();
    const server = await startTestServer('sqlite', { METRICS_PORT: String(port) });
    try {
      await server.api('GET', '/healthz');
      expectError(await server.api('GET', '/metrics'), 404, 'not-found');
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
      // Not reachable on the machine's other interfaces.
      const external = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal);
      expect(external).toBeDefined();
      await expect(fetch(`http://${external!.address}:${port}/metrics`)).rejects.toThrow();
    } finally {
      await server.close();
    }
    // Closed with the server.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
