// Live sessions under faults, with real processes: the agent's connection cut at the TCP level (a network blip), the
// API SIGKILLed mid-speech and started again, the rendering container SIGKILLed mid-speech. A Chromium viewer watches
// over WHEP throughout the first two. What the agent, the viewer and GET /sessions/:id see, and how long each gap is.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort } from '../../harness/free-port.ts';
import { espeakPcm16 } from '../../renderer/espeak-speech.ts';
import { connectAgent, type SpeechAgent } from '../../renderer/speech-agent.ts';
import { launchViewerBrowser, watchContinuously, type ContinuousViewer } from '../../renderer/whep-browser-viewer.ts';
import { closeChromium } from '../../web/chromium.ts';
import { startApiProcess, type ApiProcess } from './api-process.ts';
import { createDataTarget } from './data-target.ts';
import { apiCaller, deployAndWaitRunning, readyPortrait, sleep, type ApiCaller } from './portrait-api.ts';

/** A viewer that saw no new frame for this long was looking at a frozen face. */
const FROZEN_MS = 3000;
const START = { type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, debug: true };

export interface LiveFaultFigures {
  /** The agent's TCP connection reset for 2 s: from the reset to `ready` on the new connection, and that reconnection alone. */
  blip: { gapMs: number; reconnectMs: number; droppedMs: number; viewerMaxFrameGapMs: number };
  /** The API SIGKILLed mid-speech and started again on its port: when it answered, when the agent was ready again, when its speech moved the mouth again. */
  apiRestart: { apiBackMs: number; agentReadyMs: number; firstSpokenFrameMs: number; viewerMaxFrameGapMs: number; viewerFrames: number };
  /** The rendering container SIGKILLed mid-speech: the agent's `ended` event, and a new session's 201 and `ready`. */
  rendererCrash: { endedEventMs: number; newSessionMs: number; newSessionReadyMs: number };
}

export interface LiveFaultResult {
  figures: LiveFaultFigures;
  problems: string[];
}

interface Session {
  sessionId: string;
  token: string;
  viewerToken: string;
  whepUrl: string;
}

export interface LiveFaultOptions {
  /** A new session must be created within this long of the renderer's crash to count as no problem (issue 16: 10 s). */
  newSessionLimitMs: number;
}

export async function runLiveSessionFaults(options: LiveFaultOptions): Promise<LiveFaultResult> {
  const target = await createDataTarget('sqlite');
  const port = await freePort();
  const env = {
    ...target.env,
    RECONCILE_INTERVAL_MS: '300',
    // The renderer outlives the API, as it does for a user: a restarted API adopts it.
    RENDERERS_STOP_WITH_API: 'false',
    SESSION_RECONNECT_GRACE_SECONDS: '15',
  };
  let api: ApiProcess | null = null;
  let browser: Browser | null = null;
  let avatarId = '';
  const problems: string[] = [];
  const speech = espeakPcm16('I am speaking to you now, and my words go on for a while, so that there is speech in flight.');
  const pidFile = () => path.join(target.dataDir, 'renderers', `${avatarId}.json`);
  const rendererPid = () => (JSON.parse(fs.readFileSync(pidFile(), 'utf8')) as { pid: number }).pid;
  try {
    const { key } = await target.makeKey('u_live', 'org_live', ['avatars:read', 'avatars:write']);
    api = await startApiProcess(env, port);
    const call: ApiCaller = apiCaller(api.url, key);
    avatarId = await readyPortrait(call, 'live-faults', 'realtime_lipsync');
    await deployAndWaitRunning(call, avatarId);
    const newSession = async (): Promise<{ status: number; session: Session }> => {
      const answer = await call('POST', `/api/v1/avatars/${avatarId}/sessions`);
      return { status: answer.status, session: answer.body as Session };
    };
    const speechPath = (session: Session) => `/api/v1/sessions/${session.sessionId}/speech`;
    const readyAgent = async (session: Session): Promise<SpeechAgent> => {
      const agent = await connectAgent(api!.url, speechPath(session), session.token);
      agent.json(START);
      const refused = agent.closed.then(({ code, reason }) => Promise.reject(new Error(`closed with ${code} ${reason}`)));
      await Promise.race([agent.next('ready'), refused]);
      return agent;
    };
    const status = async (session: Session) => (await call('GET', `/api/v1/sessions/${session.sessionId}`)).body;
    browser = await launchViewerBrowser();

    // 1. A network blip: the agent's connection is reset mid-speech and comes back 2 s later.
    const { session } = await newSession();
    const viewer: ContinuousViewer = await watchContinuously(await browser.newPage(), session.whepUrl, session.viewerToken);
    let agent = await readyAgent(session);
    void agent.stream(speech, 16000);
    await agent.next('playback_started');
    await sleep(500);
    const cutAt = performance.now();
    (agent.socket as unknown as { _socket: import('node:net').Socket })._socket.resetAndDestroy();
    await sleep(2000);
    const reconnectAt = performance.now();
    agent = await readyAgent(session);
    const readyAt = performance.now();
    const cut = await agent.next('playback_finished');
    if (cut.interrupted !== true)
      problems.push(`blip: the reconnected agent heard ${JSON.stringify(cut)}, not an interrupted playback_finished`);
    agent.events.length = 0;
    void agent.stream(speech.subarray(0, 32000), 16000);
    const finished = await agent.next('playback_finished', 20_000);
    if (finished.interrupted !== false)
      problems.push(`blip: speech after the reconnection did not play to its end: ${JSON.stringify(finished)}`);
    const blipFrames = await viewer.frames();
    const blip = {
      gapMs: Math.round(readyAt - cutAt),
      reconnectMs: Math.round(readyAt - reconnectAt),
      droppedMs: Number(cut.droppedMs ?? 0),
      viewerMaxFrameGapMs: blipFrames.maxGapMs,
    };

    // 2. The API SIGKILLed mid-speech: the renderer keeps the session and its viewer; the agent comes back through a new API.
    void agent.stream(speech, 16000);
    await agent.next('playback_started');
    const framesBefore = (await viewer.frames()).count;
    const killedAt = performance.now();
    await api.kill();
    api = await startApiProcess(env, port);
    const apiBackAt = performance.now();
    let back: SpeechAgent | null = null;
    let refusal: unknown = null;
    while (!back && performance.now() - killedAt < 30_000) {
      back = await readyAgent(session).catch(async (error: unknown) => {
        refusal = error;
        await sleep(100);
        return null;
      });
    }
    if (!back) throw new Error(`the agent could not reconnect through the restarted API within 30 s: ${String(refusal)}`);
    const agentReadyAt = performance.now();
    void back.stream(speech, 16000);
    const spoken = await new Promise<number>((resolve) => {
      back!.socket.on('message', (data, isBinary) => {
        if (!isBinary && JSON.parse(data.toString()).open > 0.2) resolve(performance.now());
      });
    });
    const restartFrames = await viewer.frames();
    if (restartFrames.count <= framesBefore) problems.push('apiRestart: the viewer presented no frame after the API was killed');
    const state = await status(session);
    if (state.state !== 'active') problems.push(`apiRestart: the session is ${state.state} (${state.endReason}) after the API restart`);
    const apiRestart = {
      apiBackMs: Math.round(apiBackAt - killedAt),
      agentReadyMs: Math.round(agentReadyAt - killedAt),
      firstSpokenFrameMs: Math.round(spoken - killedAt),
      viewerMaxFrameGapMs: restartFrames.maxGapMs,
      viewerFrames: restartFrames.count,
    };

    // 3. The renderer SIGKILLed mid-speech: the agent hears `renderer-failed`, the session says so, a new one starts.
    const crashedAt = performance.now();
    process.kill(rendererPid(), 'SIGKILL');
    const ended = await back.next('ended', 10_000);
    const endedAt = performance.now();
    const closed = await back.closed;
    if (ended.reason !== 'renderer-failed') problems.push(`rendererCrash: the agent heard ended ${ended.reason}`);
    if (closed.code !== 1000) problems.push(`rendererCrash: the agent's socket closed with ${closed.code}, not 1000`);
    const crashed = await status(session);
    if (crashed.state !== 'ended' || crashed.endReason !== 'renderer-failed') {
      problems.push(`rendererCrash: GET /sessions/:id says ${crashed.state} ${crashed.endReason}`);
    }
    let next = await newSession();
    while (next.status !== 201 && performance.now() - crashedAt < 60_000) {
      await sleep(200);
      next = await newSession();
    }
    const newSessionAt = performance.now();
    if (next.status !== 201) throw new Error(`no new session within 60 s of the renderer crash: ${JSON.stringify(next.session)}`);
    const fresh = await readyAgent(next.session);
    const freshReadyAt = performance.now();
    fresh.json({ type: 'end' });
    await fresh.closed;
    const rendererCrash = {
      endedEventMs: Math.round(endedAt - crashedAt),
      newSessionMs: Math.round(newSessionAt - crashedAt),
      newSessionReadyMs: Math.round(freshReadyAt - crashedAt),
    };
    // The viewer's media goes straight to the renderer: neither the blip nor the API's restart may freeze it.
    for (const [fault, gap] of [
      ['blip', blip.viewerMaxFrameGapMs],
      ['apiRestart', apiRestart.viewerMaxFrameGapMs],
    ] as const) {
      if (gap > FROZEN_MS) problems.push(`${fault}: the viewer's video froze for ${gap} ms`);
    }
    if (rendererCrash.newSessionMs > options.newSessionLimitMs) {
      problems.push(`rendererCrash: a new session took ${rendererCrash.newSessionMs} ms, over ${options.newSessionLimitMs} ms`);
    }
    await call('POST', `/api/v1/avatars/${avatarId}/undeploy`);
    return { figures: { blip, apiRestart, rendererCrash }, problems };
  } finally {
    await closeChromium(browser);
    await api?.stop();
    // An API killed mid-test leaves its renderer (it outlives the API by design): stop it here.
    if (avatarId && fs.existsSync(pidFile())) {
      try {
        process.kill(rendererPid(), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await target.remove();
  }
}
