// Sessions per core as shipped: the real renderer pinned to one core (taskset, all its threads: the JS thread that
// draws and converts, and libwebrtc's that encode VP8 and Opus), N sessions of 512x512/30 fps, each watched by one
// Chromium WHEP viewer and, when speaking, fed speech in real time by its agent. Frames are on time when the
// viewer's p95 interval between frames received (of those its <video> presented) is under 40 ms. CPU is the whole process's, from /proc.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createSession, SECRET, startLiveRenderer } from '../test/renderer/live-renderer.ts';
import { TestAgent } from '../test/livekit/livekit-agent.ts';
import { connectAgent, type SpeechAgent } from '../test/renderer/speech-agent.ts';
import { ROOT_DIR } from '../test/fixtures.ts';
import type { Report } from './bench-row.ts';
import { cpuSeconds, readProcCpu } from './proc-cpu.ts';

/** The renderer's core (BENCH_LIVE_CORE), the most sessions tried on it, and each run's measured window (s). */
export const CAPACITY_CORE = Number(process.env.BENCH_LIVE_CORE || 1);
const MAX_SESSIONS = Number(process.env.BENCH_LIVE_MAX_SESSIONS || 10);
export const CAPACITY_SECONDS = Number(process.env.BENCH_LIVE_CAPACITY_SECONDS || 8);
/**
 * A nice value for every renderer thread (BENCH_LIVE_NICE, e.g. -10 as root): on a machine other work keeps busy, the
 * pinned core then goes to the renderer first, closer to a core of its own. Unset: left as started.
 */
const NICE = process.env.BENCH_LIVE_NICE;

/** Sets NICE on each of the process's threads (a thread's nice is its own; later threads inherit their creator's). */
function renice(pid: number): void {
  if (NICE === undefined || NICE === '') return;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      execFileSync('renice', ['-n', NICE, '-p', tid], { stdio: 'ignore' });
    } catch {
      // The thread ended, or no right to raise its priority: measured as it is.
    }
  }
}

export interface CapacityRun {
  sessions: number;
  speaking: boolean;
  /** The renderer's CPU over the window, in cores (1 = one core busy all the time). */
  cpu: number;
  /** Each thread name's share of that CPU, largest first. */
  threads: { name: string; cpu: number }[];
  /** The worst viewer's p95 interval between presented frames (ms). */
  worstP95IntervalMs: number;
  /** Frames the viewers presented per second, the lowest of them. */
  lowestFps: number;
  framesSkipped: number;
  load: number;
}

/** CPU seconds per thread name of a process (libwebrtc names its threads; the JS thread is the process's name). */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const cpu = readProcCpu(`/proc/${pid}/task/${tid}/stat`);
    if (!cpu) continue; // the thread ended while we read
    const name = cpu.name.replace(/\d+$/, '#');
    byName.set(name, (byName.get(name) ?? 0) + cpu.own);
  }
  return byName;
}

const WHEP_VIEWER_JS = path.join(ROOT_DIR, 'web', 'live', 'whep-viewer.js');

/**
 * A viewer page (the live page's own WHEP code) that records, for every frame its <video> presents, when the frame's
 * last packet was received (requestVideoFrameCallback's receiveTime): the stream's own timing, not rounded to the
 * page's 60 Hz presentation.
 */
async function watch(page: Page, whepUrl: string, token: string): Promise<void> {
  await page.setContent('<video id="v" autoplay playsinline muted></video>');
  await page.addScriptTag({ type: 'module', content: `${fs.readFileSync(WHEP_VIEWER_JS, 'utf8')}\nwindow.connectWhep = connectWhep;` });
  await page.waitForFunction('typeof window.connectWhep === "function"');
  const status = await page.evaluate(`(async ({ whepUrl, token }) => {
      const video = document.getElementById('v');
      const { pc, response } = await window.connectWhep(whepUrl, token, video);
      if (response.status !== 201) return response.status;
      await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      window.frameTimes = [];
      const onFrame = (now, metadata) => {
        window.frameTimes.push(metadata.receiveTime ?? now);
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
      return 201;
    })(${JSON.stringify({ whepUrl, token })})`);
  if (status !== 201) throw new Error(`the WHEP offer was answered ${status}`);
}

function p95Interval(times: number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  gaps.sort((a, b) => a - b);
  return gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.95))]! : Number.POSITIVE_INFINITY;
}

/**
 * Runs `sessions` watched sessions on a renderer pinned to `core` for `seconds` (after a warm-up), idle or speaking
 * (`speech`: 16 kHz PCM16 streamed in real time in 20 ms chunks, as a TTS would).
 */
export async function runCapacity(
  browser: Browser,
  options: {
    sessions: number;
    speech: Buffer | null;
    seconds: number;
    core: number;
    env?: Record<string, string>;
    /** Called with the renderer's pid at the end of the measured window (to take a profile). */
    atEnd?: (pid: number) => void;
  },
): Promise<CapacityRun> {
  const live = await startLiveRenderer({
    MAX_SESSIONS: String(Math.max(8, options.sessions)),
    RENDER_CONFIG: '{"resolution":"512x512","frameRate":30,"idleMotion":true}',
    ...options.env,
  });
  const pid = live.renderer.child.pid!;
  // -a: every thread the renderer has; threads started later inherit the affinity of the thread that starts them.
  execFileSync('taskset', ['-a', '-cp', String(options.core), String(pid)], { stdio: 'ignore' });
  const baseUrl = live.renderer.baseUrl;
  const pages = await Promise.all(Array.from({ length: options.sessions }, () => browser.newPage()));
  const agents: SpeechAgent[] = [];
  try {
    for (let i = 0; i < options.sessions; i++) {
      const id = `cap-${i}`;
      const token = `${id}-token-0123456789abcdef`;
      const viewerToken = `${id}-viewer-0123456789abcdef`;
      await createSession(baseUrl, { sessionId: id, token, viewerToken });
      const agent = await connectAgent(baseUrl, `/sessions/${id}/speech`, token);
      agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
      await agent.next('ready');
      agents.push(agent);
      await watch(pages[i]!, `${baseUrl}/sessions/${id}/whep`, viewerToken);
    }
    renice(pid);
    // Every viewer's first frames, then a warm-up for the encoders' rate control.
    await new Promise((r) => setTimeout(r, 3000));
    const speaking = options.speech
      ? agents.map((agent) => agent.stream(options.speech!.subarray(0, (options.seconds + 4) * 32000), 16000, { chunkMs: 20 }))
      : [];
    await new Promise((r) => setTimeout(r, 1000));
    const pageStart = await Promise.all(pages.map((page) => page.evaluate('performance.now()') as Promise<number>));
    const cpu0 = cpuSeconds(pid);
    const threads0 = threadCpu(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = (cpuSeconds(pid) - cpu0) / elapsed;
    const threads1 = threadCpu(pid);
    options.atEnd?.(pid);
    const load = os.loadavg()[0]!;
    const pageEnd = await Promise.all(pages.map((page) => page.evaluate('performance.now()') as Promise<number>));
    const timesPerPage = await Promise.all(pages.map((page) => page.evaluate('window.frameTimes') as Promise<number[]>));
    const windows = timesPerPage.map((times, i) => times.filter((t) => t >= pageStart[i]! && t <= pageEnd[i]!));
    const skipped = await framesSkipped(
      baseUrl,
      agents.map((_, i) => `cap-${i}`),
    );
    await Promise.all(speaking);
    return {
      sessions: options.sessions,
      speaking: options.speech !== null,
      cpu,
      threads: threadShares(threads0, threads1, elapsed),
      worstP95IntervalMs: Math.max(...windows.map(p95Interval)),
      lowestFps: Math.min(...windows.map((w, i) => w.length / ((pageEnd[i]! - pageStart[i]!) / 1000))),
      framesSkipped: skipped,
      load,
    };
  } finally {
    for (const agent of agents) agent.socket.close();
    await Promise.all(pages.map((page) => page.close()));
    await live.stop();
  }
}

/** Runs so far: each one's rooms are its own (an earlier run's room, until LiveKit closes it, holds its avatar). */
let livekitRuns = 0;

/**
 * The same over LiveKit: N sessions, each publishing to its own room on a real livekit-server, where an
 * @livekit/rtc-node agent subscribes (and decodes) and, when speaking, streams 24 kHz speech in real time. No
 * per-frame receive times come out of rtc-node's stream, so a session is on time when its subscriber decoded at
 * least 95% of the 30 fps frames in the window (`lowestFps` >= 28.5); `worstP95IntervalMs` is NaN.
 */
export async function runLivekitCapacity(
  livekitUrl: string,
  options: { sessions: number; speech: Buffer | null; seconds: number; core: number },
): Promise<CapacityRun> {
  const run = ++livekitRuns;
  const ids = Array.from({ length: options.sessions }, (_, i) => `lk-cap-${run}-${i}`);
  const live = await startLiveRenderer({
    MAX_SESSIONS: String(Math.max(8, options.sessions)),
    RENDER_CONFIG: '{"resolution":"512x512","frameRate":30,"idleMotion":true}',
  });
  const pid = live.renderer.child.pid!;
  execFileSync('taskset', ['-a', '-cp', String(options.core), String(pid)], { stdio: 'ignore' });
  const baseUrl = live.renderer.baseUrl;
  const agents: TestAgent[] = [];
  try {
    for (const id of ids) {
      const agent = await TestAgent.join(livekitUrl, id);
      agents.push(agent);
      await createSession(baseUrl, {
        sessionId: id,
        token: `${id}-token-0123456789abcdef`,
        viewerToken: `${id}-viewer-0123456789abcdef`,
        livekit: { url: livekitUrl, token: await agent.avatarToken(id) },
      });
    }
    const deadline = performance.now() + 20_000;
    while (agents.some((a) => a.watched.firstFrameAt === null) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    renice(pid);
    await new Promise((r) => setTimeout(r, 3000));
    const speaking = options.speech
      ? agents.map((agent) => agent.speak(options.speech!.subarray(0, (options.seconds + 4) * 48000), { speedup: 1 }))
      : [];
    await new Promise((r) => setTimeout(r, 1000));
    const frames0 = agents.map((a) => a.watched.frames);
    const cpu0 = cpuSeconds(pid);
    const threads0 = threadCpu(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = (cpuSeconds(pid) - cpu0) / elapsed;
    const threads1 = threadCpu(pid);
    const fps = agents.map((a, i) => (a.watched.frames - frames0[i]!) / elapsed);
    const load = os.loadavg()[0]!;
    const skipped = await framesSkipped(baseUrl, ids);
    await Promise.all(speaking);
    return {
      sessions: options.sessions,
      speaking: options.speech !== null,
      cpu,
      threads: threadShares(threads0, threads1, elapsed),
      worstP95IntervalMs: Number.NaN,
      lowestFps: Math.min(...fps),
      framesSkipped: skipped,
      load,
    };
  } finally {
    await Promise.all(agents.map((agent) => agent.leave().catch(() => {})));
    await live.stop();
  }
}

function threadShares(before: Map<string, number>, after: Map<string, number>, seconds: number): { name: string; cpu: number }[] {
  return [...after]
    .map(([name, cpu]) => ({ name, cpu: (cpu - (before.get(name) ?? 0)) / seconds }))
    .filter((t) => t.cpu > 0.005)
    .sort((a, b) => b.cpu - a.cpu);
}

/** On time: every viewer's p95 frame interval under 40 ms (WHEP), or 95% of the frames decoded (LiveKit). */
const onTime = (run: CapacityRun): boolean => (Number.isNaN(run.worstP95IntervalMs) ? run.lowestFps >= 28.5 : run.worstP95IntervalMs < 40);

const describe = (run: CapacityRun): string =>
  `${run.sessions}: ${Math.round(run.cpu * 100)}% cpu, ` +
  `${Number.isNaN(run.worstP95IntervalMs) ? '' : `p95 ${Math.round(run.worstP95IntervalMs)} ms, `}` +
  `${run.lowestFps.toFixed(1)} fps, load ${run.load.toFixed(1)}`;

/**
 * The rows: for idle and then speaking sessions, up from one session until a viewer's frames are late or the core is
 * full: the most sessions on time, and the renderer's CPU per session with one session and with the most tried.
 */
export async function reportCapacity(
  report: Report,
  transport: string,
  run: (sessions: number, speaking: boolean) => Promise<CapacityRun>,
): Promise<void> {
  for (const speaking of [false, true]) {
    const label = speaking ? 'speaking' : 'idle';
    const runs: CapacityRun[] = [];
    let held = 0;
    for (let sessions = 1; sessions <= MAX_SESSIONS; sessions++) {
      const result = await run(sessions, speaking);
      runs.push(result);
      if (!onTime(result)) break;
      held = sessions;
      if (result.cpu > 0.97) break;
    }
    const one = runs[0]!;
    const last = runs.at(-1)!;
    report({
      name: `${transport} 512x512/30 fps sessions on one core, VP8 encode included, ${label}`,
      value: held,
      unit: 'sessions',
      note: `${held === MAX_SESSIONS ? 'at least (the most tried); ' : ''}core ${CAPACITY_CORE} (taskset${NICE ? `, nice ${NICE}` : ''}); ${runs.map(describe).join('; ')}`,
    });
    report({
      name: `${transport} renderer CPU per ${label} session (one session, one viewer)`,
      value: Math.round(one.cpu * 1000) / 10,
      unit: '% of a core',
      note: `threads: ${one.threads.map((t) => `${t.name} ${Math.round(t.cpu * 1000) / 10}`).join(', ')}; load ${one.load.toFixed(1)}`,
    });
    report({
      name: `${transport} renderer CPU per ${label} session at ${last.sessions} sessions`,
      value: Math.round((last.cpu / last.sessions) * 1000) / 10,
      unit: '% of a core',
      note: `sessions per core at this cost: ${(last.sessions / last.cpu).toFixed(1)}; frames skipped ${last.framesSkipped}; load ${last.load.toFixed(1)}`,
    });
  }
}

/** Frames the renderer skipped (drawn too late to send) over these sessions, from their status. */
async function framesSkipped(baseUrl: string, sessionIds: string[]): Promise<number> {
  const metrics = await Promise.all(
    sessionIds.map(async (id) => {
      const response = await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } });
      return ((await response.json()) as { metrics: { framesSkipped: number } }).metrics;
    }),
  );
  return metrics.reduce((sum, m) => sum + m.framesSkipped, 0);
}
