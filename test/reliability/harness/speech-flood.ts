import { readFile } from 'node:fs/promises';
import { espeakPcm16 } from '../../renderer/espeak-speech.ts';
import { createSession, startLiveRenderer } from '../../renderer/live-renderer.ts';
import { connectAgent, type AgentEvent } from '../../renderer/speech-agent.ts';
import { floodSpeech, floodSpeechDeaf, type FloodResult } from '../../renderer/speech-flooder.ts';

export interface SpeechFloodReport {
  /** The renderer process never exited and /health answered 200 after the flood. */
  rendererAlive: boolean;
  rssMiB: { before: number; duringMax: number; after: number };
  /** Each flood round's close code (ws flooders, then the one that ignores the close frame). */
  floods: (FloodResult & { writtenAfterClose?: number })[];
  /** Speech queued in the flooded session when its agent came back: bounded by the cap. */
  floodedQueuedMs: number | null;
  /** The bystander session on the same renderer (avatar): frames it drew during the flood, and whether it still spoke. */
  bystander: { framesDuringFlood: number; spokeAfter: boolean; closeCode: number };
  health: { requests: number; non200: number; maxMs: number };
  problems: string[];
}

const START = { type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, debug: true };
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * Floods one live session's speech socket (64 KiB chunks as fast as TCP allows, `rounds` times, then once more
 * with a client that ignores the close frame) while another session on the same renderer keeps drawing, and
 * reports what the renderer went through. A real renderer process, real WebSockets.
 */
export async function runSpeechFlood(options: { rounds: number; maxQueuedSpeechSeconds?: number }): Promise<SpeechFloodReport> {
  const live = await startLiveRenderer();
  const { baseUrl } = live.renderer;
  const pid = live.renderer.child.pid!;
  const rss = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const problems: string[] = [];
  let exited = false;
  void live.renderer.exited.then(() => (exited = true));
  try {
    const limits = options.maxQueuedSpeechSeconds ? { maxQueuedSpeechSeconds: options.maxQueuedSpeechSeconds } : {};
    const flooded = {
      sessionId: 'flooded',
      token: 'flood-agent-token-0123456789',
      viewerToken: 'flood-viewer-token-0123456789',
      ...limits,
    };
    const calm = { sessionId: 'calm', token: 'calm-agent-token-0123456789', viewerToken: 'calm-viewer-token-0123456789' };
    for (const body of [flooded, calm]) {
      const created = await createSession(baseUrl, body);
      if (created.status !== 201) throw new Error(`POST /sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
    }
    const bystander = await connectAgent(baseUrl, '/sessions/calm/speech', calm.token);
    bystander.json(START);
    await bystander.next('ready');
    const speech = espeakPcm16('I am still here, speaking while the other session is flooded.');

    const before = await rss();
    let duringMax = before;
    const health = { requests: 0, non200: 0, maxMs: 0 };
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const t0 = performance.now();
        const status = await fetch(`${baseUrl}/health`).then(
          (r) => r.status,
          () => 0,
        );
        health.maxMs = Math.max(health.maxMs, performance.now() - t0);
        health.requests++;
        if (status !== 200) health.non200++;
        duringMax = Math.max(duringMax, await rss().catch(() => 0));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const mouthsBefore = bystander.events.filter((e) => e.type === 'mouth').length;
    const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/sessions/flooded/speech?token=${flooded.token}`;
    const floods: SpeechFloodReport['floods'] = [];
    for (let round = 0; round < options.rounds; round++) floods.push(await floodSpeech(wsUrl));
    floods.push(await floodSpeechDeaf(baseUrl, '/sessions/flooded/speech', flooded.token));
    const framesDuringFlood = bystander.events.filter((e) => e.type === 'mouth').length - mouthsBefore;
    flooding = false;
    await probe;

    // The flooded session lives on: its agent comes back and reads how much speech is queued.
    const back = await connectAgent(baseUrl, '/sessions/flooded/speech', flooded.token);
    back.json({ ...START, debug: false });
    await back.next('ready');
    const metrics = (await back.next('metrics')) as AgentEvent & { queuedMs: number | null };
    back.json({ type: 'interrupt' });
    await back.next('interrupted');
    back.json({ type: 'end' });
    await back.closed;

    await bystander.stream(speech, 16000, { chunkMs: 40, pace: 2 });
    const spokeAfter = await bystander.next('playback_finished', 30_000).then(
      () => true,
      () => false,
    );
    bystander.json({ type: 'end' });
    const closeCode = (await bystander.closed).code;
    const after = await rss();
    const alive =
      !exited &&
      (await fetch(`${baseUrl}/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200;

    if (!alive) problems.push(`the renderer died: ${live.renderer.stderr().slice(-500)}`);
    for (const [i, flood] of floods.entries()) if (flood.code !== 4009) problems.push(`flood ${i + 1} closed with ${flood.code}, not 4009`);
    if (health.non200 > 0) problems.push(`${health.non200} of ${health.requests} /health requests during the flood did not answer 200`);
    if (framesDuringFlood === 0) problems.push('the other session drew no frames during the flood');
    if (!spokeAfter || closeCode !== 1000)
      problems.push(`the other session did not speak and end normally after the flood (close ${closeCode})`);
    const cap = (options.maxQueuedSpeechSeconds ?? 30) * 1000;
    if (metrics.queuedMs !== null && metrics.queuedMs > cap)
      problems.push(`the flooded session queued ${metrics.queuedMs} ms, over its ${cap} ms cap`);
    return {
      rendererAlive: alive,
      rssMiB: { before: mib(before), duringMax: mib(duringMax), after: mib(after) },
      floods,
      floodedQueuedMs: metrics.queuedMs === null ? null : Math.round(metrics.queuedMs),
      bystander: { framesDuringFlood, spokeAfter, closeCode },
      health: { ...health, maxMs: Math.round(health.maxMs) },
      problems,
    };
  } finally {
    await live.stop();
  }
}
