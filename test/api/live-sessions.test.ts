// The flows that cross the live-session routes: start a session, speak over the speech socket, watch over WHEP,
// the viewer page and the SDK. Each route's own checks are in routes/avatars/start-live-session.test.ts and
// routes/sessions/{speech,whep}-proxy.test.ts.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { LIVE_SESSION_ENV, readyLiveAvatar } from '../harness/live-avatar.ts';
import { connectAgent } from '../renderer/speech-agent.ts';
import { floodSpeech } from '../renderer/speech-flooder.ts';
import { espeakPcm16 } from '../renderer/espeak-speech.ts';
import { launchViewerBrowser, watchOverWhep } from '../renderer/whep-browser-viewer.ts';
import { closeChromium } from '../web/chromium.ts';
import { watchSessionMouth } from '../harness/session-mouth.ts';
import { buildWeb } from '../../web/build.ts';
import os from 'node:os';
import path from 'node:path';

describe('live sessions through the API', () => {
  let server: TestServer;
  let owner: TestKey;
  let browser: Browser;
  const readyAvatar = (tier: string, onDemand?: Record<string, unknown>) => readyLiveAvatar(server, owner, tier, onDemand);
  /** A ready realtime_lipsync avatar, a session started on it (the owner's key), and a fresh page to watch it from. */
  const sessionAndPage = async () => {
    const id = await readyAvatar('realtime_lipsync');
    const session = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
    return { id, session, page: await browser.newPage() };
  };

  // The SDK as pages load it (avatar-sdk.iife.js), built once for the tests that need it.
  let dist: string | undefined;
  const sdk = async () => {
    if (!dist) {
      dist = fs.mkdtempSync(path.join(os.tmpdir(), 'avatars-sdk-'));
      await buildWeb(dist);
    }
    return path.join(dist, 'avatar-sdk.iife.js');
  };

  /** `page` with the SDK: `window.view` watches `session` (its first frame shown), `window.ended` has its 'ended' reasons. */
  const watchWithSdk = async (page: Page, session: { whepUrl: string; viewerToken: string }) => {
    await page.goto(`${server.url}/healthz`);
    await page.setContent('<div id="host" style="width:512px;height:512px"></div>');
    await page.addScriptTag({ path: await sdk() });
    const args = JSON.stringify({ whepUrl: session.whepUrl, viewerToken: session.viewerToken });
    await page.evaluate(`(async ({ whepUrl, viewerToken }) => {
      window.view = new Avatars.AvatarView(document.getElementById('host'));
      window.ended = [];
      window.view.addEventListener('ended', (event) => window.ended.push(event.detail.reason));
      await window.view.joinSession({ whepUrl, viewerToken });
      await new Promise((resolve) => document.querySelector('video').requestVideoFrameCallback(resolve));
    })(${args})`);
  };

  /** The session's agent connects, says `speech` if given, and ends the session (close 1000 once it has played). */
  const endAsAgent = async (session: { sessionId: string; token: string }, speech?: Buffer) => {
    const agent = await connectAgent(server.url, `/api/v1/sessions/${session.sessionId}/speech`, session.token);
    agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
    await agent.next('ready');
    if (speech) await agent.stream(speech, 16000, { pace: 4 });
    agent.json({ type: 'end' });
    expect((await agent.closed).code).toBe(1000);
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite', LIVE_SESSION_ENV);
    owner = await server.makeKey('owner', 'org_live');
    browser = await launchViewerBrowser();
  });
  afterAll(async () => {
    await closeChromium(browser);
    await server.close();
    if (dist) fs.rmSync(dist, { recursive: true, force: true });
  });

  it('starts an on-demand avatar, lets the agent speak over the WebSocket and a browser watch over WHEP', async () => {
    const id = await readyAvatar('realtime_lipsync');
    // The session's answer itself (tokens, URLs, the deployment it starts) is checked in start-live-session.test.ts.
    const session = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;

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
    const { session, page } = await sessionAndPage();
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
    const { session, page } = await sessionAndPage();
    await watchWithSdk(page, session);
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
  }, 120_000);

  it("sets a portrait's expression from the SDK (setExpression on a session joined with the agent token), and says why it cannot without it", async () => {
    const { id, session, page } = await sessionAndPage();
    await watchWithSdk(page, session);
    // This view watched with the viewer token only: the expression needs the agent's.
    const refused = await page.evaluate(`window.view.setExpression('happy').then(() => 'set', (error) => error.code)`);
    expect(refused).toBe('unauthorized');
    await page.evaluate(`(async ({ whepUrl, viewerToken, token }) => {
      await window.view.joinSession({ whepUrl, viewerToken, token });
      await new Promise((resolve) => document.querySelector('video').requestVideoFrameCallback(resolve));
    })(${JSON.stringify({ whepUrl: session.whepUrl, viewerToken: session.viewerToken, token: session.token })})`);

    // What the container draws, as the agent's frames show it (the viewer's video is the same picture).
    const mouth = await watchSessionMouth(server, id, session);
    const idle = await mouth.after(3);
    await page.evaluate(`window.view.setExpression('surprised', 1)`);
    expect(await mouth.after(15)).toBeGreaterThan(idle + 30);
    const bad = await page.evaluate(`[['relaxed', 1], ['sad', NaN]].map(([name, weight]) => {
      try { window.view.setExpression(name, weight); return 'accepted'; } catch (error) { return error.name; }
    })`);
    expect(bad).toEqual(['RangeError', 'RangeError']);
    await page.evaluate(`window.view.setExpression('neutral')`);
    expect(await mouth.after(15)).toBeLessThan(idle + 12);
    mouth.close();
    await page.evaluate('window.view.leaveSession()');
    await page.close();
  }, 120_000);

  it("tells <avatar-view> that its session was DELETEd within seconds: an 'ended' event with the reason, and nothing more shown", async () => {
    const { id, session, page } = await sessionAndPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/healthz`);
    await page.setContent('<main></main>');
    await page.addScriptTag({ path: await sdk() });
    // The element as a page uses it: it loads the avatar (its preview), then watches the session in its place.
    const args = JSON.stringify({ id, apiBase: server.url, apiKey: owner.key, whepUrl: session.whepUrl, viewerToken: session.viewerToken });
    await page.evaluate(`(async ({ id, apiBase, apiKey, whepUrl, viewerToken }) => {
      const element = document.createElement('avatar-view');
      element.id = 'avatar';
      document.body.appendChild(element);
      window.ended = [];
      const record = (on) => (event) => window.ended.push({ on, reason: event.detail.reason });
      element.addEventListener('ended', record('element'));
      const loaded = new Promise((resolve) => element.addEventListener('loaded', resolve, { once: true }));
      element.setAttribute('api-base', apiBase);
      element.setAttribute('api-key', apiKey);
      element.setAttribute('avatar-id', id);
      await loaded;
      element.avatarView.addEventListener('ended', record('view'));
      await element.joinSession({ whepUrl, viewerToken });
      const video = element.shadowRoot.querySelector('video');
      await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    })(${args})`);
    expect((await server.api('DELETE', `/api/v1/sessions/${session.sessionId}`, { key: owner })).status).toBe(204);
    // The renderer's hang-up closes the DTLS transport at once (about 0.6 s here); ICE alone would take about 6 s more.
    await expect.poll(() => page.evaluate('window.ended.length'), { timeout: 20_000 }).toBe(2);
    // The element re-dispatches the view's event from a listener it added first.
    expect(await page.evaluate('window.ended')).toEqual([
      { on: 'element', reason: 'deleted' },
      { on: 'view', reason: 'deleted' },
    ]);
    // It stopped watching: no frozen last frame is left in the element.
    expect(
      await page.evaluate(`(() => {
      const element = document.getElementById('avatar');
      return [element.debugState().kind, element.shadowRoot.querySelectorAll('video').length];
    })()`),
    ).toEqual(['none', 0]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("keeps an AvatarView waiting while its session is on though its link is down, then tells it the session's own end", async () => {
    const { session, page } = await sessionAndPage();
    let viewerUrl = '';
    const statusAsked: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && response.url() === session.whepUrl) viewerUrl = response.headers().location ?? '';
    });
    page.on('request', (request) => request.url().endsWith('/status') && statusAsked.push(Date.now()));
    await watchWithSdk(page, session);
    expect(statusAsked).toEqual([]);

    // The viewer alone is hung up (its WHEP resource deleted), as a renderer drops one it lost: the session goes on,
    // so the view asks, learns it is active, and asks again every few seconds without giving up.
    expect(viewerUrl).toMatch(new RegExp(`^/api/v1/sessions/${session.sessionId}/whep/`));
    const dropped = await server.api('DELETE', viewerUrl, { headers: { authorization: `Bearer ${session.viewerToken}` } });
    expect(dropped.status).toBe(204);
    await expect.poll(() => statusAsked.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate('window.ended')).toEqual([]);
    expect(statusAsked[2] - statusAsked[1]).toBeGreaterThanOrEqual(2500);

    // The agent ends the session: the next answer says so, with the session's own reason.
    await endAsAgent(session);
    await expect.poll(() => page.evaluate('window.ended'), { timeout: 10_000 }).toEqual(['end']);
    // Once told, it stops asking.
    const asked = statusAsked.length;
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(statusAsked.length).toBe(asked);
    expect(await page.evaluate('window.view.debugState().kind')).toBe('none');
    await page.close();
  }, 120_000);

  it('tells an AvatarView watching a session that its agent ended of the end at once', async () => {
    const { session, page } = await sessionAndPage();
    await watchWithSdk(page, session);
    await endAsAgent(session, espeakPcm16('Goodbye.'));
    await expect.poll(() => page.evaluate('window.ended'), { timeout: 10_000 }).toEqual(['end']);
    await page.close();
  }, 120_000);

  it('says on the /live page that the session ended, and why', async () => {
    const { session, page } = await sessionAndPage();
    await page.goto(`${server.url}/live#session=${session.sessionId}&token=${session.viewerToken}`);
    const status = page.locator('#status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('Watching: the avatar is idle.');
    expect((await server.api('DELETE', `/api/v1/sessions/${session.sessionId}`, { key: owner })).status).toBe(204);
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('The session ended (deleted).');
    expect(await page.locator('#error').textContent()).toBe('');
    await page.close();
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
});
