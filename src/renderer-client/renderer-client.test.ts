import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRequest } from '../../contract/live-sessions.ts';
import { RendererClient } from './renderer-client.ts';
import { RendererRefused, RendererUnavailable } from './renderer-errors.ts';

/** A stand-in renderer whose answers each test picks by path. */
let server: http.Server;
let endpoint: string;
const answers = new Map<string, (response: http.ServerResponse, request: http.IncomingMessage) => void>();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    const answer = answers.get(`${request.method} ${request.url}`);
    if (answer) answer(response, request);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const session: SessionRequest = {
  sessionId: 'ses_test',
  token: 'lst_0123456789abcdef',
  viewerToken: 'lsv_0123456789abcdef',
  maxSessionSeconds: 60,
  maxIdleSeconds: 10,
  maxQueuedSpeechSeconds: 5,
  reconnectGraceSeconds: 15,
};

async function failure<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}
const refusal = (promise: Promise<unknown>) => failure(promise, RendererUnavailable);

describe('RendererClient', () => {
  it('says whether the renderer is healthy, and false when nothing answers', async () => {
    answers.set('GET /health', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    expect(await new RendererClient(endpoint).isHealthy()).toBe(true);
    answers.set('GET /health', (r) => r.writeHead(503).end('{"status":"loading"}'));
    expect(await new RendererClient(endpoint).isHealthy()).toBe(false);
    expect(await new RendererClient('http://127.0.0.1:1').isHealthy()).toBe(false);
  });

  it("probes health with the deployment's secret when it has one (a local renderer counts it as its API's call)", async () => {
    const seen: (string | undefined)[] = [];
    answers.set('GET /health', (r, request) => {
      seen.push(request.headers.authorization);
      r.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    expect(await new RendererClient(endpoint, 'secret').isHealthy()).toBe(true);
    expect(await new RendererClient(endpoint).isHealthy()).toBe(true);
    expect(seen).toEqual(['Bearer secret', undefined]);
  });

  it('raises every failure as RendererUnavailable, with a reason: unreachable, too slow, a wrong answer', async () => {
    expect((await refusal(new RendererClient('http://127.0.0.1:1', 'secret').preview(1000))).reason).toBe(
      'The rendering container could not be reached.',
    );
    answers.set('POST /preview', () => undefined); // never answers
    expect((await refusal(new RendererClient(endpoint, 'secret').preview(100))).reason).toBe(
      'The rendering container did not finish the preview within 100 ms (PREVIEW_TIMEOUT_MS).',
    );
    answers.set('POST /preview', (r) => r.writeHead(500, { 'content-type': 'application/json' }).end('{}'));
    expect((await refusal(new RendererClient(endpoint, 'secret').preview(1000))).reason).toBe(
      'The rendering container answered the preview with HTTP 500 and no MP4.',
    );
    // A missing part (ffmpeg) is said in the renderer's own reason.
    const missing = { error: 'The renderer cannot do this without ffmpeg.', code: 'missing-part', reason: 'ffmpeg was not found.' };
    answers.set('POST /preview', (r) => r.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(missing)));
    expect((await refusal(new RendererClient(endpoint, 'secret').preview(1000))).reason).toBe('ffmpeg was not found.');
    answers.set('POST /preview', (r) => r.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"loading"}'));
    expect((await refusal(new RendererClient(endpoint, 'secret').preview(1000))).reason).toBe(
      'The rendering container answered the preview with HTTP 503 and no MP4.',
    );
    answers.set('POST /sessions', (r) => r.writeHead(500).end());
    expect((await refusal(new RendererClient(endpoint, 'secret').startSession(session))).reason).toBe(
      'The rendering container answered the session start with HTTP 500.',
    );
  });

  it('returns a preview clip, and tells a started session from a full container', async () => {
    answers.set('POST /preview', (r) => r.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('mp4')));
    expect((await new RendererClient(endpoint, 'secret').preview(1000)).toString()).toBe('mp4');
    const created = { sessionId: 'ses_test', speechPath: '/sessions/ses_test/speech', whepPath: '/sessions/ses_test/whep' };
    answers.set('POST /sessions', (r) => r.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(created)));
    expect(await new RendererClient(endpoint, 'secret').startSession(session)).toEqual(created);
    answers.set('POST /sessions', (r) => r.writeHead(429, { 'content-type': 'application/json' }).end('{}'));
    expect(await new RendererClient(endpoint, 'secret').startSession(session)).toBe('full');
  });

  it("passes a LiveKit refusal on as RendererRefused with the renderer's status, code and sentence", async () => {
    const livekit = { ...session, livekit: { url: 'ws://127.0.0.1:9', token: 'a.b.c' } };
    const answer = (status: number, code: string) => (r: http.ServerResponse) =>
      r.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `Said with ${code}.`, code }));
    answers.set('POST /sessions', answer(400, 'livekit-refused'));
    const refused = await failure(new RendererClient(endpoint, 'secret').startSession(livekit), RendererRefused);
    expect([refused.status, refused.code, refused.message]).toEqual([400, 'livekit-refused', 'Said with livekit-refused.']);
    answers.set('POST /sessions', answer(502, 'livekit-unreachable'));
    expect((await failure(new RendererClient(endpoint, 'secret').startSession(livekit), RendererRefused)).status).toBe(502);
    // Any other 400 is the API's own mistake in what it sent: a wrong answer, not the caller's.
    answers.set('POST /sessions', answer(400, 'validation-failed'));
    expect((await refusal(new RendererClient(endpoint, 'secret').startSession(livekit))).reason).toBe(
      'The rendering container answered the session start with HTTP 400.',
    );
  });

  it('reads a session status, and null for a session it does not know; ends one', async () => {
    const status = { sessionId: 'ses_test', transport: 'whep', state: 'active', metrics: { fps: 30 } };
    answers.set('GET /sessions/ses_test', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status)));
    expect(await new RendererClient(endpoint, 'secret').sessionStatus('ses_test')).toEqual(status);
    answers.set('GET /sessions/ses_test', (r) => r.writeHead(404).end('{}'));
    expect(await new RendererClient(endpoint, 'secret').sessionStatus('ses_test')).toBeNull();
    answers.set('DELETE /sessions/ses_test', (r) => r.writeHead(204).end());
    expect(await new RendererClient(endpoint, 'secret').endSession('ses_test')).toBe(true);
    answers.set('DELETE /sessions/ses_test', (r) => r.writeHead(404).end());
    expect(await new RendererClient(endpoint, 'secret').endSession('ses_test')).toBe(false);
  });

  it('relays WHEP answers as they are, Location included', async () => {
    answers.set('POST /sessions/ses_test/whep', (r) =>
      r.writeHead(201, { 'content-type': 'application/sdp', location: '/sessions/ses_test/whep/v1' }).end('v=0'),
    );
    expect(await new RendererClient(endpoint).whepOffer('ses_test', session.viewerToken, 'v=0')).toEqual({
      status: 201,
      contentType: 'application/sdp',
      body: 'v=0',
      location: '/sessions/ses_test/whep/v1',
    });
    answers.set('DELETE /sessions/ses_test/whep/v1', (r) => r.writeHead(204).end());
    expect(await new RendererClient(endpoint).whepEnd('ses_test', 'v1', session.viewerToken)).toMatchObject({
      status: 204,
      body: undefined,
    });
  });
});
