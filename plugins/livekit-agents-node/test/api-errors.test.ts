import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/harness/free-port.ts';
import { startTestServer, type TestKey, type TestServer } from '../../../test/harness/test-server.ts';
import { AvatarSession, AvatarsAPI, AvatarsError, mintAvatarToken } from '../src/index.js';
import { useAgentsLogger } from './support.ts';

useAgentsLogger();

/** Quick retries, so a test of them takes milliseconds: 2 retries, 3 tries in all. */
const RETRIES = { maxRetry: 2, retryIntervalMs: 20, timeoutMs: 5000 };

async function refusal(call: Promise<unknown>): Promise<AvatarsError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AvatarsError);
  return error as AvatarsError;
}

/**
 * The plugin's API client against the real Avatars API (a real server over HTTP, SQLite): each of the API's errors
 * becomes an AvatarsError with the API's status, code and sentence, and only 5xx answers are tried again. The
 * server's own request log counts the tries.
 */
describe("the Avatars API's answers, as the plugin reports them", () => {
  const log: string[] = [];
  let server: TestServer;
  let owner: TestKey;
  let reader: TestKey;
  let livekitToken: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite', {}, { logger: { level: 'info', stream: { write: (line: string) => void log.push(line) } } });
    owner = await server.makeKey('owner', 'org_plugin_errors');
    reader = await server.makeKey('reader', 'org_plugin_errors', ['avatars:read']);
    livekitToken = await mintAvatarToken({
      apiKey: 'devkey',
      apiSecret: 'secret',
      roomName: 'room-1',
      avatarIdentity: 'avatars-avatar-agent',
      agentIdentity: 'agent-1',
    });
  });
  afterAll(() => server?.close());

  const client = (key: TestKey | string) =>
    new AvatarsAPI({ apiUrl: server.url, apiKey: typeof key === 'string' ? key : key.key, connOptions: RETRIES });
  const start = (key: TestKey | string, avatarId: string, livekitUrl = 'ws://127.0.0.1:7880') =>
    client(key).createLiveKitSession(avatarId, { livekitUrl, livekitToken });
  /** How many times the server was asked `method path`. */
  const asked = (method: string, path: string) =>
    log.map((line) => JSON.parse(line)).filter((l) => l.msg === 'incoming request' && l.req?.method === method && l.req?.url === path)
      .length;
  const createAvatar = async (body: Record<string, unknown>) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Plugin', ...body } })).body._id as string;

  it('reports 4xx answers with their status, code and sentence, at once and once', async () => {
    const portrait = await createAvatar({ tier: 'realtime_lipsync' });
    const sessions = `/api/v1/avatars/${portrait}/sessions`;

    const unknownKey = await refusal(start('sk_not_a_key_at_all', portrait));
    expect(unknownKey).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect(unknownKey.message).toBe('The API key is not valid: it is unknown, revoked or expired.');
    expect(asked('POST', sessions)).toBe(1);

    const readOnly = await refusal(start(reader, portrait));
    expect(readOnly).toMatchObject({ status: 403, code: 'scope-required', retryable: false });
    expect(readOnly.message).toMatch(/avatars:write/);
    expect(asked('POST', sessions)).toBe(2);

    const missing = await refusal(start(owner, 'avt_doesNotExist'));
    expect(missing).toMatchObject({
      status: 404,
      code: 'not-found',
      retryable: false,
      message: 'No avatar with id "avt_doesNotExist" was found.',
    });
    expect(asked('POST', '/api/v1/avatars/avt_doesNotExist/sessions')).toBe(1);

    const vrm = await createAvatar({ tier: 'stylized_3d' });
    const notLive = await refusal(start(owner, vrm));
    expect(notLive).toMatchObject({ status: 409, code: 'conflict', retryable: false });
    expect(notLive.message).toMatch(/realtime_lipsync/);
    expect(asked('POST', `/api/v1/avatars/${vrm}/sessions`)).toBe(1);

    const badUrl = await refusal(start(owner, portrait, 'not a url'));
    expect(badUrl).toMatchObject({ status: 400, code: 'validation-failed', retryable: false });
    expect(badUrl.details?.[0]?.path).toBe('livekit.url');
    expect(String(badUrl)).toMatch(/^AvatarsError: .+ \(400 validation-failed\)$/);
    expect(asked('POST', sessions)).toBe(3);

    const noSession = await refusal(client(owner).getSession('ses_00000000000000000000'));
    expect(noSession).toMatchObject({ status: 404, code: 'not-found' });
    const endNoSession = await refusal(client(owner).endSession('ses_00000000000000000000'));
    expect(endNoSession).toMatchObject({ status: 404, code: 'not-found' });
    expect(asked('DELETE', '/api/v1/sessions/ses_00000000000000000000')).toBe(1);
  });

  it('tries a 5xx again (the API says the avatar is not running), then reports it with its reason', async () => {
    // An always-on avatar that was never deployed: the contract's 503, which deploying it would cure.
    const idle = await createAvatar({ tier: 'realtime_lipsync', onDemand: { schedulingMode: 'always_on' } });
    const error = await refusal(start(owner, idle));
    expect(error).toMatchObject({ status: 503, code: 'service-unavailable', retryable: true });
    expect(error.message).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
    expect(asked('POST', `/api/v1/avatars/${idle}/sessions`)).toBe(RETRIES.maxRetry + 1);
  });

  it('aclose() of a session never started asks the API nothing', async () => {
    const avatar = new AvatarSession({ avatarId: 'avt_1', apiUrl: server.url, apiKey: owner.key, connOptions: RETRIES });
    expect(avatar.api.apiUrl).toBe(server.url);
    const before = log.length;
    await avatar.aclose();
    expect(log.slice(before).filter((line) => line.includes('DELETE'))).toEqual([]);
  });
});

/** A TCP peer at the API's address that misbehaves: `serve` gets each connection; counts them. */
async function peer(serve: (socket: net.Socket) => void): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(status: string, type: string, body: string): (socket: net.Socket) => void {
  return (socket) =>
    socket.once('data', () =>
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      ),
    );
}

describe('reaching the Avatars API', () => {
  const call = (apiUrl: string, connOptions: Partial<typeof RETRIES> = RETRIES) =>
    new AvatarsAPI({ apiUrl, apiKey: 'sk_1', connOptions }).createLiveKitSession('avt_1', {
      livekitUrl: 'ws://127.0.0.1:7880',
      livekitToken: 'a.b.c',
      timeoutMs: 500,
    });

  it('tries a refused or reset connection again, then says what happened', async () => {
    const refused = await refusal(call(`http://127.0.0.1:${await freePort()}`));
    expect(refused).toMatchObject({ status: null, code: 'connection-failed', retryable: true });
    expect(refused.message).toMatch(
      /^Could not reach the Avatars API at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/avatars\/avt_1\/sessions: ECONNREFUSED\.$/,
    );

    const reset = await peer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const error = await refusal(call(reset.url));
      expect(error).toMatchObject({ status: null, code: 'connection-failed' });
      expect(reset.connections()).toBe(RETRIES.maxRetry + 1);
    } finally {
      await reset.close();
    }
  });

  it('does not try a timeout again: the first request may be starting a session', async () => {
    const silent = await peer(() => {});
    try {
      const started = performance.now();
      const error = await refusal(call(silent.url));
      expect(error).toMatchObject({ status: null, code: 'timeout', retryable: false });
      expect(error.message).toMatch(/did not answer POST .* within 0\.5 s\.$/);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("reports an answer that is not the API's: a proxy's 502 page (tried again), or a 2xx that is not JSON (not)", async () => {
    const proxy = await peer(answer('502 Bad Gateway', 'text/html', '<html><body>502 Bad Gateway</body></html>'));
    try {
      const error = await refusal(call(proxy.url));
      expect(error).toMatchObject({ status: 502, code: 'http-502', retryable: true });
      expect(error.message).toBe('The Avatars API answered 502 Bad Gateway: <html><body>502 Bad Gateway</body></html>');
      expect(proxy.connections()).toBe(RETRIES.maxRetry + 1);
    } finally {
      await proxy.close();
    }
    const html = await peer(answer('201 Created', 'text/html', '<html>hello</html>'));
    try {
      const error = await refusal(call(html.url));
      expect(error).toMatchObject({ status: 201, code: 'invalid-response', retryable: false });
      expect(html.connections()).toBe(1);
    } finally {
      await html.close();
    }
  });
});
