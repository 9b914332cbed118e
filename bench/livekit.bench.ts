// Live sessions over LiveKit beside WHEP, in the same run on the same renderer (512x512, 30 fps): time from the join
// request to the first video frame a subscriber decodes; audio-in to frame-out latency; audio/mouth drift over 60 s of
// speech; and the renderer's CPU per session. LiveKit's subscriber is an @livekit/rtc-node participant (an agent, as
// LiveKit's own agents subscribe), WHEP's a Chromium page; both decode VP8. Then how many sessions one core holds
// over LiveKit, idle and speaking (BENCH_LIVEKIT_SECONDS shortens the 60 s of speech).
import { performance } from 'node:perf_hooks';
import { TestAgent } from '../test/livekit/livekit-agent.ts';
import { speechWithPauses } from './bench-speech.ts';
import { cpuSeconds } from './proc-cpu.ts';
import { CAPACITY_CORE, CAPACITY_SECONDS, reportCapacity, runLivekitCapacity } from './live-capacity.ts';
import { startLiveKit } from '../test/livekit/livekit-server.ts';
import { createSession, SECRET, startLiveRenderer } from '../test/renderer/live-renderer.ts';
import { connectAgent } from '../test/renderer/speech-agent.ts';
import { launchViewerBrowser, watchOverWhep } from '../test/renderer/whep-browser-viewer.ts';
import { closeChromium } from '../test/web/chromium.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

const SECONDS = Number(process.env.BENCH_LIVEKIT_SECONDS || 60);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  latency: { p50: number; p95: number } | null;
  /** Each 2 s window's mean drift. */
  drifts: number[];
  maxDrift: number;
  cpuShare: number;
  skipped: number;
}

export default async function bench(report: Report): Promise<void> {
  const [livekit, live] = await Promise.all([
    startLiveKit(),
    startLiveRenderer({ MAX_SESSIONS: '8', RENDER_CONFIG: '{"resolution":"512x512","frameRate":30,"idleMotion":true}' }),
  ]);
  const baseUrl = live.renderer.baseUrl;
  const pid = live.renderer.child.pid!;
  const browser = await launchViewerBrowser();
  let n = 0;
  const status = async (id: string) =>
    (await (await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } })).json()) as Record<string, any>;
  const endSession = (id: string) =>
    fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
  const tokens = (id: string) => ({ sessionId: id, token: `${id}-token-0123456789abcdef`, viewerToken: `${id}-viewer-0123456789abcdef` });

  /** Samples the session's metrics every 2 s while `speak` runs, and the renderer's CPU over the same time. */
  const measure = async (id: string, speak: () => Promise<void>): Promise<Run> => {
    const drifts: number[] = [];
    let maxDrift = 0;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    let done = false;
    const spoken = speak().finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((r) => setTimeout(r, 2000));
      const { metrics } = await status(id);
      if (metrics.driftMs !== null) drifts.push(metrics.driftMs);
      maxDrift = Math.max(maxDrift, metrics.maxDriftMs ?? 0);
    }
    await spoken;
    const cpuShare = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    const { metrics } = await status(id);
    return { latency: metrics.latencyMs, drifts, maxDrift, cpuShare, skipped: metrics.framesSkipped };
  };

  try {
    // Time to first frame, three fresh sessions each way.
    const livekitTtff: number[] = [];
    for (let i = 0; i < 3; i++) {
      const room = `ttff-${i}`;
      const agent = await TestAgent.join(livekit.url, room);
      const asked = performance.now();
      const id = `lk-ttff-${++n}`;
      await createSession(baseUrl, { ...tokens(id), livekit: { url: livekit.url, token: await agent.avatarToken(room) } });
      while (agent.watched.firstFrameAt === null && performance.now() - asked < 20_000) await new Promise((r) => setTimeout(r, 5));
      livekitTtff.push((agent.watched.firstFrameAt ?? Number.NaN) - asked);
      await agent.leave();
      // Ended now, not after the agent's reconnect grace: it would still be drawing while the speech below is measured.
      await endSession(id);
    }
    const whepTtff: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = `whep-ttff-${++n}`;
      const asked = performance.now();
      await createSession(baseUrl, tokens(id));
      const created = performance.now() - asked;
      const page = await browser.newPage();
      const seen = await watchOverWhep(page, `${baseUrl}/sessions/${id}/whep`, tokens(id).viewerToken, 0.5);
      await page.close();
      // The session's creation, then the page's own clock from its offer to the first frame shown.
      whepTtff.push(created + seen.firstFrameMs);
      await endSession(id);
    }
    report({
      name: 'livekit time to first frame (join request -> first frame decoded by a room subscriber)',
      value: median(livekitTtff),
      unit: 'ms',
      note: `median of 3; ${livekitTtff.map(Math.round).join(', ')}`,
    });
    report({
      name: 'whep time to first frame (session created, then offer posted -> first frame shown in Chromium)',
      value: median(whepTtff),
      unit: 'ms',
      note: `median of 3; ${whepTtff.map(Math.round).join(', ')}`,
    });
    report({ name: 'livekit / whep time to first frame', value: median(livekitTtff) / median(whepTtff), unit: 'x' });

    // 60 s of speech, sent in real time (20 ms chunks), with one subscriber watching; then the same over WHEP.
    const room = 'speech';
    const agent = await TestAgent.join(livekit.url, room);
    const lkId = `lk-speech-${++n}`;
    await createSession(baseUrl, { ...tokens(lkId), livekit: { url: livekit.url, token: await agent.avatarToken(room) } });
    await new Promise((r) => setTimeout(r, 1500));
    const lk = await measure(lkId, async () => {
      await agent.speak(speechWithPauses(SECONDS, 24000), { speedup: 1 });
      await agent.finishedNumber(1, 30_000);
    });
    await agent.leave();

    const whepId = `whep-speech-${++n}`;
    await createSession(baseUrl, tokens(whepId));
    const page = await browser.newPage();
    const watching = watchOverWhep(page, `${baseUrl}/sessions/${whepId}/whep`, tokens(whepId).viewerToken, SECONDS + 3);
    const speaker = await connectAgent(baseUrl, `/sessions/${whepId}/speech`, tokens(whepId).token);
    speaker.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
    await speaker.next('ready');
    await new Promise((r) => setTimeout(r, 1500));
    const whep = await measure(whepId, async () => {
      await speaker.stream(speechWithPauses(SECONDS, 16000), 16000, { chunkMs: 20 });
      await speaker.next('playback_finished');
    });
    await watching;
    await page.close();

    for (const [name, run] of [
      ['livekit', lk],
      ['whep', whep],
    ] as const) {
      report({
        name: `${name} audio-in -> frame-out latency p50`,
        value: run.latency?.p50 ?? Number.NaN,
        unit: 'ms',
        note: "the playout's wait included (LIVE_JITTER_MS 80 at most)",
      });
      report({
        name: `${name} audio-in -> frame-out latency p95`,
        value: run.latency?.p95 ?? Number.NaN,
        unit: 'ms',
        note: 'target < 100 ms',
      });
      report({
        name: `${name} audio/mouth drift, largest 2 s window mean (${SECONDS} s of speech)`,
        value: Math.max(...run.drifts.map(Math.abs)),
        unit: 'ms',
        note: `target < 40 ms; first ${run.drifts[0]}, last ${run.drifts.at(-1)}`,
      });
      report({ name: `${name} audio/mouth drift, largest single frame`, value: run.maxDrift, unit: 'ms' });
      report({
        name: `${name} renderer CPU per speaking session (one subscriber)`,
        value: Math.round(run.cpuShare * 1000) / 10,
        unit: '% of a core',
        note: `frames skipped ${run.skipped}`,
      });
    }
    report({ name: 'livekit / whep renderer CPU per session', value: lk.cpuShare / whep.cpuShare, unit: 'x' });

    // Sessions per core over LiveKit (bench/live-capacity.ts; WHEP's are in `npm run bench -- live`): the renderer
    // pinned to one core, N sessions each publishing to its own room with one subscribing agent, idle and speaking.
    const capacitySpeech = speechWithPauses(CAPACITY_SECONDS + 5, 24000);
    await reportCapacity(report, 'LiveKit', (sessions, speaking) =>
      runLivekitCapacity(livekit.url, {
        sessions,
        speech: speaking ? capacitySpeech : null,
        seconds: CAPACITY_SECONDS,
        core: CAPACITY_CORE,
      }),
    );
  } finally {
    await closeChromium(browser);
    await live.stop();
    await livekit.stop();
  }
}
