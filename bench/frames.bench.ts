// Frames over the speech WebSocket beside WHEP, in the same run on the same renderer (512x512, 30 fps): for each way
// out, 20 s of speech streamed in real time with one consumer, and the renderer's CPU, the audio-in to frame-out
// latency (the session's own metric) and, for the socket, how late frames arrive against their presentation times
// and the bytes per second. The WHEP consumer is a Chromium page; the socket's is this process, reading every message.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { HEADER_BYTES, MEDIA_KIND } from '../renderer/live/frame-output.ts';
import { createSession, SECRET, startLiveRenderer } from '../test/renderer/live-renderer.ts';
import { connectAgent } from '../test/renderer/speech-agent.ts';
import { launchViewerBrowser, watchOverWhep } from '../test/renderer/whep-browser-viewer.ts';
import { closeChromium } from '../test/web/chromium.ts';
import { speechWithPauses } from './bench-speech.ts';
import { cpuSeconds } from './proc-cpu.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

const SECONDS = Number(process.env.BENCH_FRAMES_SECONDS || 20);
const percentile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export default async function bench(report: Report): Promise<void> {
  const live = await startLiveRenderer({ MAX_SESSIONS: '8', RENDER_CONFIG: '{"resolution":"512x512","frameRate":30,"idleMotion":true}' });
  const baseUrl = live.renderer.baseUrl;
  const pid = live.renderer.child.pid!;
  const browser = await launchViewerBrowser();
  const speech = speechWithPauses(SECONDS);
  let n = 0;
  const open = async (output?: Record<string, unknown>) => {
    const id = `frames-bench-${++n}`;
    const token = `${id}-token-0123456789abcdef`;
    await createSession(baseUrl, { sessionId: id, token, viewerToken: `${id}-viewer-0123456789abcdef` });
    return { id, token, viewerToken: `${id}-viewer-0123456789abcdef`, output };
  };
  const latencyOf = async (id: string) =>
    ((await (await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } })).json()) as Record<string, any>)
      .metrics;

  try {
    // WHEP: a Chromium viewer, the agent on its socket.
    const whep = await open();
    const page = await browser.newPage();
    const watching = watchOverWhep(page, `${baseUrl}/sessions/${whep.id}/whep`, whep.viewerToken, SECONDS + 3);
    const agent = await connectAgent(baseUrl, `/sessions/${whep.id}/speech`, whep.token);
    agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
    await agent.next('ready');
    await new Promise((r) => setTimeout(r, 1500));
    let cpu0 = cpuSeconds(pid);
    let t0 = performance.now();
    await agent.stream(speech, 16000, { chunkMs: 20 });
    await agent.next('playback_finished');
    const whepCpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    const whepMetrics = await latencyOf(whep.id);
    const seen = await watching;
    await page.close();
    agent.json({ type: 'end' });

    const rows: { name: string; cpu: number; p95: number; lateP50: number; lateP95: number; kbps: number; fps: number; dropped: number }[] =
      [];
    for (const video of ['jpeg', 'i420'] as const) {
      const session = await open();
      const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/sessions/${session.id}/speech?token=${session.token}`);
      await new Promise((resolve) => socket.once('open', resolve));
      const arrivals: { pts: number; at: number }[] = [];
      let bytes = 0;
      let finished = false;
      socket.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) {
          if (JSON.parse(data.toString()).type === 'playback_finished') finished = true;
          return;
        }
        bytes += data.length;
        const kind = data.readUInt8(0);
        if (kind === MEDIA_KIND.jpeg || kind === MEDIA_KIND.i420) arrivals.push({ pts: data.readDoubleLE(1), at: performance.now() });
        if (data.length < HEADER_BYTES) throw new Error('a media message shorter than its header');
      });
      socket.send(JSON.stringify({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, output: { video } }));
      await new Promise((r) => setTimeout(r, 1500));
      const from = arrivals.length;
      cpu0 = cpuSeconds(pid);
      t0 = performance.now();
      const bytes0 = bytes;
      for (let o = 0; o < speech.length; o += 640) {
        socket.send(speech.subarray(o, o + 640));
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + (o / 640 + 1) * 20 - performance.now())));
      }
      while (!finished) await new Promise((r) => setTimeout(r, 20));
      const wall = (performance.now() - t0) / 1000;
      const cpu = (cpuSeconds(pid) - cpu0) / wall;
      const metrics = await latencyOf(session.id);
      socket.close();
      // Lateness: arrival against presentation time, from the earliest frame's offset (the two clocks' difference).
      const during = arrivals.slice(from);
      const offset = Math.min(...during.map((a) => a.at - a.pts));
      const late = during.map((a) => a.at - a.pts - offset);
      rows.push({
        name: video,
        cpu,
        p95: metrics.latencyMs?.p95 ?? Number.NaN,
        lateP50: percentile(late, 0.5),
        lateP95: percentile(late, 0.95),
        kbps: ((bytes - bytes0) * 8) / 1000 / wall,
        fps: during.length / wall,
        dropped: metrics.framesDropped,
      });
    }

    report({
      name: 'whep renderer CPU per speaking session (one Chromium viewer)',
      value: Math.round(whepCpu * 1000) / 10,
      unit: '% of a core',
    });
    report({
      name: 'whep audio-in -> frame-out latency p95',
      value: whepMetrics.latencyMs?.p95 ?? Number.NaN,
      unit: 'ms',
      note: 'target < 150 ms',
    });
    report({ name: 'whep frames shown by Chromium per second', value: seen.framesPresented / seen.seconds, unit: 'fps' });
    for (const row of rows) {
      report({
        name: `frames (${row.name}) renderer CPU per speaking session`,
        value: Math.round(row.cpu * 1000) / 10,
        unit: '% of a core',
      });
      report({ name: `frames (${row.name}) / whep renderer CPU`, value: row.cpu / whepCpu, unit: 'x' });
      report({ name: `frames (${row.name}) audio-in -> frame-out latency p95`, value: row.p95, unit: 'ms', note: 'target < 150 ms' });
      report({
        name: `frames (${row.name}) arrival lateness against presentation time p50 / p95`,
        value: row.lateP95,
        unit: 'ms',
        note: `p50 ${row.lateP50.toFixed(1)} ms; from the earliest frame's offset`,
      });
      report({ name: `frames (${row.name}) received per second`, value: row.fps, unit: 'fps', note: `dropped ${row.dropped}` });
      report({ name: `frames (${row.name}) bandwidth`, value: Math.round(row.kbps), unit: 'kbit/s' });
    }
  } finally {
    await closeChromium(browser);
    await live.stop();
  }
}
