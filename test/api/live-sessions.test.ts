import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { securityTests } from '../harness/security.ts';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import { connectAgent } from '../renderer/speech-agent.ts';
import { floodSpeech } from '../renderer/speech-flooder.ts';
import { hashSecret } from '../../src/domain/keys/issue-api-key.ts';
import { liveSessionStore } from '../../src/store/live-sessions.ts';
import { espeakPcm16 } from '../renderer/espeak-speech.ts';
import { launchViewerBrowser, watchOverWhep } from '../renderer/whep-browser-viewer.ts';
import { buildWeb } from '../../web/build.ts';
import os from 'node:os';
import path from 'node:path';

const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

/** Opens a socket and answers how it was closed (code and the last error event's sentence). */
function closedSocket(url: string): Promise<{ code: number; message: string | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let message: string | null = null;
    socket.on('message', (data) => {
      message = JSON.parse(data.toString()).message ?? message;
    });
    socket.on('close', (code) => resolve({ code, message }));
    socket.on('error', () => {});
  });
}

describe('live sessions through the API', () => {
  let server: TestServer;
  let owner: TestKey;
  let browser: Browser;
  const readyAvatar = async (tier: string, onDemand?: Record<string, unknown>) => {
    const a = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Live', tier, ...(onDemand ? { onDemand } : {}) } }))
      .body;
    await server.api('POST', `/api/v1/avatars/${a._id}/source`, { key: owner, raw: astronaut, headers: { 'content-type': 'image/png' } });
    for (let i = 0; i < 300; i++) {
      await server.server.loop.settle();
      if ((await server.api('GET', `/api/v1/avatars/${a._id}`, { key: owner })).body.status === 'ready') return a._id as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the portrait did not become ready');
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite', { SESSIONS_PER_AVATAR: '2', SESSION_MAX_QUEUED_SPEECH_SECONDS: '4' });
    owner = await server.makeKey('owner', 'org_live');
    browser = await launchViewerBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server.close();
  });

  it('starts an on-demand avatar, lets the agent speak over the WebSocket and a browser watch over WHEP', async () => {
    const id = await readyAvatar('realtime_lipsync');
    const answer = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner });
    expect(answer.status).toBe(201);
    const session = answer.body;
    expect(session.sessionId).toMatch(/^ses_/);
    expect(session.token).toMatch(/^lst_[0-9A-Za-z]{40}$/);
    expect(session.viewerToken).toMatch(/^lsv_[0-9A-Za-z]{40}$/);
    // The store keeps only the two tokens' hashes.
    const stored = await liveSessionStore(server.server.services.store.db).find(session.sessionId);
    expect(stored).toMatchObject({ tokenHash: hashSecret(session.token), viewerTokenHash: hashSecret(session.viewerToken) });
    expect(JSON.stringify(stored)).not.toContain(session.token.slice(4));
    expect(JSON.stringify(stored)).not.toContain(session.viewerToken.slice(4));
    expect(session.url).toBe(`${server.url.replace('http', 'ws')}/api/v1/sessions/${session.sessionId}/speech`);
    expect(session.whepUrl).toBe(`${server.url}/api/v1/sessions/${session.sessionId}/whep`);
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body.deployment.state).toBe('running');

    const page = await browser.newPage();
    const watching = watchOverWhep(page, session.whepUrl, session.viewerToken, 3);
    const agent = await connectAgent(server.url, `/api/v1/sessions/${session.sessionId}/speech`, session.token);
    agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
    const ready = await agent.next('ready');
    expect(ready).toMatchObject({ width: 512, height: 512, frameRate: 30 });
    await agent.stream(espeakPcm16('Hello, I am your support agent.'), 16000, { pace: 2 });
    await agent.next('playback_started', 20_000);
    await agent.next('playback_finished', 20_000);
    const viewer = await watching;
    expect(viewer.status).toBe(201);
    expect(viewer.location).toMatch(new RegExp(`^/api/v1/sessions/${session.sessionId}/whep/`));
    expect(viewer.width).toBe(512);
    expect(viewer.framesPresented).toBeGreaterThan(20);
    agent.json({ type: 'end' });
    expect((await agent.closed).code).toBe(1000);
    await page.close();
  }, 120_000);

  it('serves a viewer page that watches the session and speaks a sample sentence as an agent would', async () => {
    const id = await readyAvatar('realtime_lipsync');
    const session = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
    // A link for viewers carries only the viewer token: it watches, and has no button that speaks.
    const viewerPage = await browser.newPage();
    await viewerPage.goto(`${server.url}/live#session=${session.sessionId}&token=${session.viewerToken}`);
    await expect.poll(() => viewerPage.locator('#status').textContent(), { timeout: 30_000 }).toBe('Watching: the avatar is idle.');
    expect(await viewerPage.getByRole('button', { name: 'Say a sample sentence' }).isHidden()).toBe(true);
    await viewerPage.close();
    // The session's owner adds the agent token to speak from the page.
    await page.goto(`${server.url}/live#session=${session.sessionId}&token=${session.viewerToken}&agentToken=${session.token}`);
    const status = page.locator('#status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Watching: the avatar is idle.');
    await page.getByRole('button', { name: 'Say a sample sentence' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Speaking…');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Watching: the avatar is idle.');
    expect(await page.locator('#error').textContent()).toBe('');
    await expect.poll(() => page.locator('#metrics').textContent(), { timeout: 10_000 }).toMatch(/fps/);
    expect(violations).toEqual([]);
    await page.screenshot({ path: 'test-artifacts/web/live-viewer.png' });
    await page.close();
  }, 120_000);

  it("plays the live session in the SDK's <avatar-view> with joinSession", async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'avatars-sdk-'));
    await buildWeb(dist);
    const id = await readyAvatar('realtime_lipsync');
    const session = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
    const page = await browser.newPage();
    await page.goto(`${server.url}/healthz`);
    await page.setContent('<div id="host" style="width:512px;height:512px"></div>');
    await page.addScriptTag({ path: path.join(dist, 'avatar-sdk.iife.js') });
    const args = JSON.stringify({ whepUrl: session.whepUrl, viewerToken: session.viewerToken });
    await page.evaluate(`(async ({ whepUrl, viewerToken }) => {
      window.view = new Avatars.AvatarView(document.getElementById('host'));
      await window.view.joinSession({ whepUrl, viewerToken });
    })(${args})`);
    const frames = `new Promise((resolve) => {
      const video = document.querySelector('video') ?? document.getElementById('host').querySelector('video');
      let n = 0;
      const tick = () => { n++; if (n >= 15) resolve({ n, width: video.videoWidth }); else video.requestVideoFrameCallback(tick); };
      video.requestVideoFrameCallback(tick);
      setTimeout(() => resolve({ n, width: video.videoWidth }), 15000);
    })`;
    const shown = (await page.evaluate(frames)) as { n: number; width: number };
    expect(shown.n).toBeGreaterThanOrEqual(15);
    expect(shown.width).toBe(512);
    expect(await page.evaluate('window.view.debugState().kind')).toBe('video');
    await page.evaluate('window.view.leaveSession()');
    await page.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }, 120_000);

  it('refuses wrong tokens, tokens of another session, and bad WHEP requests', async () => {
    const id = await readyAvatar('realtime_lipsync');
    const a = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
    const b = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
    expect((await closedSocket(`${a.url}?token=lst_wrong`)).code).toBe(4001);
    // The viewer token watches only: the speech socket refuses it with its own code.
    expect(await closedSocket(`${a.url}?token=${a.viewerToken}`)).toEqual({
      code: 4004,
      message: 'The viewer token only watches (WHEP); speaking needs the agent token.',
    });
    expect((await closedSocket(`${a.url}?token=${b.viewerToken}`)).code).toBe(4001);
    expect((await closedSocket(`${a.url}?token=${b.token}`)).code).toBe(4001);
    expect((await closedSocket(a.url)).code).toBe(4001);
    const unknown = await closedSocket(
      `${server.url.replace('http', 'ws')}/api/v1/sessions/ses_00000000000000000000/speech?token=${a.token}`,
    );
    expect(unknown).toEqual({ code: 4001, message: 'The session token is missing, wrong or expired.' });

    const whep = (token: string, body: string, type = 'application/sdp') =>
      server.api('POST', `/api/v1/sessions/${a.sessionId}/whep`, {
        raw: body,
        headers: { 'content-type': type, authorization: `Bearer ${token}` },
      });
    expectError(await whep('lst_wrong', 'v=0'), 401, 'unauthorized');
    expectError(await whep(b.token, 'v=0'), 401, 'unauthorized');
    expectError(await whep(a.token, '{}', 'application/json'), 415, 'unsupported-media-type');
    expect((await whep(a.token, 'not an offer')).status).toBe(400);
    expectError(await whep(b.viewerToken, 'v=0'), 401, 'unauthorized');
    // The real limits, in the design's shape.
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';
    const huge = await whep(a.viewerToken, `${offer}${'a=x\r\n'.repeat(20_000)}`);
    expectError(huge, 413, 'payload-too-large');
    expect(huge.body.error).toBe('The request body is larger than the 64 KiB allowed.');
    const many = await whep(a.viewerToken, `${offer}${'m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'.repeat(500)}`);
    expectError(many, 400, 'validation-failed');
    expect(many.body.error).toMatch(/501 media sections/);

    // A third session is one more than SESSIONS_PER_AVATAR=2 allows.
    const third = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner });
    expectError(third, 409, 'conflict');
    expect(third.body.error).toMatch(/already has 2 live sessions/);
  }, 120_000);

  it('closes an agent that floods speech past SESSION_MAX_QUEUED_SPEECH_SECONDS with 4009; the session lives on', async () => {
    const id = await readyAvatar('realtime_lipsync');
    const session = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
    const flood = await floodSpeech(`${session.url}?token=${session.token}`);
    expect(flood.code).toBe(4009);
    expect(flood.error).toMatch(/More than 4 s of speech is queued/);
    const back = await connectAgent(server.url, `/api/v1/sessions/${session.sessionId}/speech`, session.token);
    back.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
    await back.next('ready');
    expect((await back.next('metrics')).queuedMs as number).toBeLessThanOrEqual(4000);
    back.json({ type: 'end' });
    expect((await back.closed).code).toBe(1000);
  }, 120_000);

  it('answers 503 for an always_on avatar that is not deployed and 409 for other tiers', async () => {
    const id = await readyAvatar('realtime_lipsync', { schedulingMode: 'always_on' });
    const answer = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner });
    expectError(answer, 503, 'service-unavailable');
    expect(answer.body.error).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
    const portrait = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'T2', tier: 'animated_portrait' } })).body;
    expectError(await server.api('POST', `/api/v1/avatars/${portrait._id}/sessions`, { key: owner }), 409, 'conflict');
    const vrm = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'T1', tier: 'stylized_3d' } })).body;
    expectError(await server.api('POST', `/api/v1/avatars/${vrm._id}/sessions`, { key: owner }), 409, 'conflict');
  }, 120_000);

  describe('security', () => {
    securityTests(() => server, {
      method: 'POST',
      path: (id) => `/api/v1/avatars/${id}/sessions`,
      scope: 'avatars:write',
      avatar: 'visible',
    });
  });
});
