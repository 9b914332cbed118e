import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espeakPcm16 } from './espeak-speech.ts';
import { createSession, SECRET, startLiveRenderer } from './live-renderer.ts';
import { connectAgent } from './speech-agent.ts';
import { launchViewerBrowser, watchOverWhep } from './whep-browser-viewer.ts';
import { closeChromium } from '../web/chromium.ts';

const TOKEN = 'viewer-token-0123456789abcdef';
const AGENT_TOKEN = 'agent-token-0123456789abcdef';
const session = (sessionId: string) => ({ sessionId, token: AGENT_TOKEN, viewerToken: TOKEN });
let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  live = await startLiveRenderer({ RENDER_CONFIG: '{"resolution":"384x448","frameRate":25,"idleMotion":true}' });
  baseUrl = live.renderer.baseUrl;
  browser = await launchViewerBrowser();
  expect((await createSession(baseUrl, session('watched'))).status).toBe(201);
});
afterAll(async () => {
  await closeChromium(browser);
  await live?.stop();
});

describe('WHEP viewers', () => {
  it('refuses offers without the session token, of the wrong type, or not SDP', async () => {
    const url = `${baseUrl}/sessions/watched/whep`;
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';
    const post = (headers: Record<string, string>, body = offer) => fetch(url, { method: 'POST', headers, body });
    expect((await post({ 'Content-Type': 'application/sdp' })).status).toBe(401);
    expect((await post({ 'Content-Type': 'application/sdp', Authorization: 'Bearer another-token-0123456789' })).status).toBe(401);
    expect(
      (
        await fetch(`${baseUrl}/sessions/nope/whep`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${TOKEN}` },
          body: offer,
        })
      ).status,
    ).toBe(401);
    expect((await post({ 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` })).status).toBe(415);
    expect((await post({ 'Content-Type': 'application/sdp', Authorization: `Bearer ${TOKEN}` }, 'hello')).status).toBe(400);
    // Offers libwebrtc would choke on are the viewer's fault: 400 with a sentence, never a 500.
    const sections = `${offer}${'m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'.repeat(500)}`;
    const many = await post({ 'Content-Type': 'application/sdp', Authorization: `Bearer ${TOKEN}` }, sections);
    expect(many.status).toBe(400);
    expect(await many.json()).toEqual({ code: 'validation-failed', error: expect.stringMatching(/501 media sections.*at most 8/) });
    const broken = await post(
      { 'Content-Type': 'application/sdp', Authorization: `Bearer ${TOKEN}` },
      `${offer}a=garbage\r\nm=video x\r\n`,
    );
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'validation-failed', error: expect.stringMatching(/SDP offer was refused/) });
    const huge = await post({ 'Content-Type': 'application/sdp', Authorization: `Bearer ${TOKEN}` }, `${offer}${'a=x\r\n'.repeat(20_000)}`);
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ code: 'payload-too-large', error: 'The request body is larger than 65536 bytes.' });
    const preflight = await fetch(url, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('streams the face to Chromium at the avatar resolution and frame rate, with the speech audio', async () => {
    const agent = await connectAgent(baseUrl, '/sessions/watched/speech', AGENT_TOKEN);
    agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 24000, channels: 1 } });
    await agent.next('ready');
    const page = await browser.newPage();
    // Speech starts while the viewer connects; the idle face flows before it.
    const speaking = agent.stream(espeakPcm16('Good morning. Can you see me speaking to you over the connection?', 24000), 24000, {
      chunkMs: 40,
    });
    const seen = await watchOverWhep(page, `${baseUrl}/sessions/watched/whep`, TOKEN, 3);
    await speaking;
    expect(seen.status).toBe(201);
    expect(seen.location).toMatch(/^\/sessions\/watched\/whep\/[0-9a-f-]{36}$/);
    expect([seen.width, seen.height]).toEqual([384, 448]);
    const fps = seen.framesPresented / seen.seconds;
    expect(fps).toBeGreaterThan(25 * 0.4);
    expect(fps).toBeLessThan(25 * 1.3);
    expect(seen.framesDecoded).toBeGreaterThanOrEqual(seen.framesPresented);
    expect(seen.audioPackets).toBeGreaterThan(50);

    await agent.next('metrics');
    agent.json({ type: 'end' });
    await agent.closed;
    const metrics = agent.events.filter((e) => e.type === 'metrics').at(-1) as Record<string, any>;
    expect(metrics.timeToFirstFrameMs).toBeGreaterThan(0);
    expect(metrics.latencyMs.p95).toBeGreaterThan(0);

    const gone = await fetch(`${baseUrl}${seen.location}`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(gone.status).toBe(401); // the session ended with the agent's "end", and its token with it
    await page.close();
  });

  it('ends a viewer on DELETE of its Location', async () => {
    expect((await createSession(baseUrl, session('short'))).status).toBe(201);
    const page = await browser.newPage();
    const seen = await watchOverWhep(page, `${baseUrl}/sessions/short/whep`, TOKEN, 1);
    expect(seen.framesPresented).toBeGreaterThan(0);
    const url = `${baseUrl}${seen.location}`;
    expect((await fetch(url, { method: 'DELETE', headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(url, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
    expect((await fetch(url, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    await page.close();
  });

  it('takes the agent token as well as the viewer token', async () => {
    expect((await createSession(baseUrl, session('agent-watches'))).status).toBe(201);
    const page = await browser.newPage();
    const seen = await watchOverWhep(page, `${baseUrl}/sessions/agent-watches/whep`, AGENT_TOKEN, 1);
    expect(seen.status).toBe(201);
    expect(seen.framesPresented).toBeGreaterThan(0);
    await page.close();
    await fetch(`${baseUrl}/sessions/agent-watches`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
  });

  it('keeps the idle face flowing to a viewer while a misbehaving agent is closed', async () => {
    expect((await createSession(baseUrl, session('misbehaved'))).status).toBe(201);
    const page = await browser.newPage();
    const watching = watchOverWhep(page, `${baseUrl}/sessions/misbehaved/whep`, TOKEN, 3);
    const agent = await connectAgent(baseUrl, '/sessions/misbehaved/speech', AGENT_TOKEN);
    agent.socket.send('{not json');
    expect((await agent.closed).code).toBe(4003);
    const seen = await watching;
    expect(seen.status).toBe(201);
    // Had the session ended with the agent, the viewer would have been hung up: no 3 s of frames.
    expect(seen.seconds).toBeGreaterThanOrEqual(3);
    expect(seen.framesPresented).toBeGreaterThan(25);
    const back = await connectAgent(baseUrl, '/sessions/misbehaved/speech', AGENT_TOKEN);
    back.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
    await back.next('ready');
    back.json({ type: 'end' });
    expect((await back.closed).code).toBe(1000);
    await page.close();
  });
});
