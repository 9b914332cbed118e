// Live sessions (Tier 3): time to first frame from a real Chromium WHEP viewer, audio-in to frame-out latency,
// audio/mouth drift over a 20 s session (shortened from 60 s to keep the bench run short), and how many
// 512x512/30 fps sessions the renderer's one JS thread draws at full rate (drawing + I420; the VP8 encode runs
// on libwebrtc's own threads and is not included). The TypeScript I420 conversion is compared with libyuv's.
import { performance } from 'node:perf_hooks';
import wrtc from '@roamhq/wrtc';
import { createPortraitAnimator } from '../renderer/engine/portrait-animator.ts';
import { rgbaToI420 } from '../renderer/live/rgba-to-i420.ts';
import { speechWithPauses } from './bench-speech.ts';
import { createSession, startLiveRenderer } from '../test/renderer/live-renderer.ts';
import { connectAgent, type SpeechAgent } from '../test/renderer/speech-agent.ts';
import { launchViewerBrowser, watchOverWhep } from '../test/renderer/whep-browser-viewer.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

const START = (sampleRate: number) => ({ type: 'start', format: { encoding: 'pcm16', sampleRate, channels: 1 } });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function bench(report: Report): Promise<void> {
  const live = await startLiveRenderer({ MAX_SESSIONS: '8', RENDER_CONFIG: '{"resolution":"512x512","frameRate":30,"idleMotion":true}' });
  const baseUrl = live.renderer.baseUrl;
  const browser = await launchViewerBrowser();
  let n = 0;
  const open = async (): Promise<{ id: string; token: string; agent: SpeechAgent }> => {
    const id = `bench-${++n}`;
    const token = `${id}-token-0123456789abcdef`;
    await createSession(baseUrl, { sessionId: id, token, viewerToken: `${id}-viewer-0123456789abcdef` });
    const agent = await connectAgent(baseUrl, `/sessions/${id}/speech`, token);
    agent.json(START(16000));
    await agent.next('ready');
    return { id, token, agent };
  };
  const finish = async (agent: SpeechAgent) => {
    agent.json({ type: 'end' });
    await agent.closed;
    return agent.events.filter((e) => e.type === 'metrics').at(-1) as Record<string, any>;
  };
  try {
    // Time to first frame: three viewers, each on a fresh idle session.
    const pageTtff: number[] = [];
    const serverTtff: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { id, token, agent } = await open();
      const page = await browser.newPage();
      const seen = await watchOverWhep(page, `${baseUrl}/sessions/${id}/whep`, token, 0.5);
      await page.close();
      pageTtff.push(seen.firstFrameMs);
      serverTtff.push((await finish(agent)).timeToFirstFrameMs);
    }
    report({
      name: 'live time to first frame (Chromium: offer posted -> first frame shown)',
      value: median(pageTtff),
      unit: 'ms',
      note: `median of 3; ${pageTtff.map(Math.round).join(', ')}`,
    });
    report({
      name: 'live time to first frame (renderer: offer -> first frame sent on the connected peer)',
      value: median(serverTtff),
      unit: 'ms',
      note: 'median of 3',
    });

    // Latency and drift: 20 s of speech streamed in real time (40 ms chunks) to a session watched over WHEP.
    const speech = speechWithPauses(20);
    const { id, token, agent } = await open();
    const page = await browser.newPage();
    const watching = watchOverWhep(page, `${baseUrl}/sessions/${id}/whep`, token, 22);
    await new Promise((r) => setTimeout(r, 1500));
    await agent.stream(speech, 16000, { chunkMs: 40 });
    await agent.next('playback_finished');
    const seen = await watching;
    await page.close();
    const windows = agent.events.filter((e) => e.type === 'metrics' && e.driftMs !== null) as Record<string, any>[];
    const final = await finish(agent);
    report({
      name: 'live audio-in -> frame-out latency p50',
      value: final.latencyMs.p50,
      unit: 'ms',
      note: '80 ms jitter buffer included',
    });
    report({ name: 'live audio-in -> frame-out latency p95', value: final.latencyMs.p95, unit: 'ms', note: 'target < 150 ms' });
    const drifts = windows.map((w) => w.driftMs as number);
    report({
      name: 'live audio/mouth drift, largest 2 s window mean (20 s session)',
      value: Math.max(...drifts.map(Math.abs)),
      unit: 'ms',
      note: `target < 40 ms; first ${drifts[0]}, last ${drifts.at(-1)}`,
    });
    report({
      name: 'live audio/mouth drift, largest single frame (20 s session)',
      value: Math.max(...windows.map((w) => w.maxDriftMs as number)),
      unit: 'ms',
    });
    report({ name: 'live frames shown by Chromium per second (30 fps stream)', value: seen.framesPresented / seen.seconds, unit: 'fps' });

    // Concurrency: N speaking sessions (agents only) at once; the largest N where the sessions together skip at
    // most 5% of their frame slots (a slot is skipped when the thread comes too late to draw it).
    const CAP = 8;
    let held = 0;
    const tried: string[] = [];
    for (let count = 1; count <= CAP; count++) {
      const sessions = await Promise.all(Array.from({ length: count }, open));
      await Promise.all(sessions.map((s) => s.agent.stream(speech.subarray(0, 4 * 32000), 16000, { chunkMs: 40 })));
      const results = await Promise.all(sessions.map((s) => finish(s.agent)));
      const skipped = results.reduce((a, r) => a + r.framesSkipped, 0);
      const drawn = results.reduce((a, r) => a + r.framesDrawn, 0);
      tried.push(`${count}: ${skipped}/${skipped + drawn} skipped`);
      if (skipped / (skipped + drawn) > 0.05) break;
      held = count;
    }
    report({
      name: 'live 512x512/30 fps sessions drawn at full rate by one renderer thread',
      value: held,
      unit: 'sessions',
      note: `${held === CAP ? 'at least (the most tried); ' : ''}drawing + I420, no viewers so no VP8 encode; ${tried.join(', ')}`,
    });

    // Per-frame cost in this process, and the TS I420 conversion against libyuv's (wrtc.nonstandard.rgbaToI420).
    const animator = createPortraitAnimator({
      image: live.portrait.image,
      face: live.portrait.face,
      config: { resolution: '512x512', frameRate: 30, idleMotion: true },
      seed: 1,
    });
    const rgba = new Uint8Array(512 * 512 * 4);
    const i420 = new Uint8Array(512 * 512 * 1.5);
    const drawMs = timeEach(60, (k) => animator.frameInto(rgba, k / 30, { open: (k % 10) / 10, visemes: { aa: 0.5 } }));
    const tsMs = timeEach(200, () => rgbaToI420(rgba, 512, 512, i420));
    const nativeMs = timeEach(200, () =>
      wrtc.nonstandard.rgbaToI420({ width: 512, height: 512, data: rgba }, { width: 512, height: 512, data: i420 }),
    );
    report({ name: 'live frame draw 512x512 (median)', value: drawMs, unit: 'ms' });
    report({ name: 'live RGBA->I420 512x512 in TypeScript (median)', value: tsMs, unit: 'ms' });
    report({ name: 'live RGBA->I420 TypeScript / libyuv', value: tsMs / nativeMs, unit: 'x', note: `libyuv ${nativeMs.toFixed(3)} ms` });
    report({
      name: 'live sessions per core from frame cost (30 fps)',
      value: 1000 / (30 * (drawMs + tsMs)),
      unit: 'sessions',
      note: 'drawing + I420 only',
    });
  } finally {
    await browser.close();
    await live.stop();
  }
}

function timeEach(runs: number, work: (k: number) => unknown): number {
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    work(k);
    times.push(performance.now() - t0);
  }
  return median(times);
}
