import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HEADER_BYTES, MEDIA_KIND } from '../../renderer/live/frame-output.ts';
import { espeakPcm16 } from './espeak-speech.ts';
import { createSession, SECRET, startLiveRenderer } from './live-renderer.ts';

let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;
let speech: Buffer;
let counter = 0;

beforeAll(async () => {
  live = await startLiveRenderer({ MAX_SESSIONS: '16', RENDER_CONFIG: '{"resolution":"256x256","frameRate":25,"idleMotion":true}' });
  baseUrl = live.renderer.baseUrl;
  speech = espeakPcm16('Hello there, I am speaking back to your pipeline.', 16000);
});
afterAll(async () => {
  await live?.stop();
});

interface Media {
  kind: number;
  ptsMs: number;
  a: number;
  b: number;
  payload: Buffer;
  /** Index among all messages, events included: what came before what. */
  order: number;
}

/** An agent socket that asks for the session's media back, and records every message in order. */
async function frameAgent(output: Record<string, unknown>): Promise<{
  socket: WebSocket;
  media: Media[];
  events: (Record<string, unknown> & { order: number })[];
  closed: Promise<number>;
  id: string;
}> {
  const id = `frames-${++counter}`;
  const token = `token-${id}-0123456789abcdef`;
  await createSession(baseUrl, { sessionId: id, token, viewerToken: `viewer-${id}-0123456789abcdef` });
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/sessions/${id}/speech?token=${token}`);
  const media: Media[] = [];
  const events: (Record<string, unknown> & { order: number })[] = [];
  let order = 0;
  socket.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return events.push({ ...JSON.parse(data.toString()), order: order++ });
    media.push({
      kind: data.readUInt8(0),
      ptsMs: data.readDoubleLE(1),
      a: data.readUInt16LE(9),
      b: data.readUInt16LE(11),
      payload: data.subarray(HEADER_BYTES),
      order: order++,
    });
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, debug: true, output }));
  return { socket, media, events, closed, id };
}

async function send(socket: WebSocket, pcm: Buffer, pace = 4): Promise<void> {
  for (let offset = 0; offset < pcm.length; offset += 640) {
    socket.send(pcm.subarray(offset, offset + 640));
    await new Promise((resolve) => setTimeout(resolve, 20 / pace));
  }
}

async function status(id: string): Promise<Record<string, any>> {
  return (await (await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } })).json()) as Record<
    string,
    any
  >;
}

describe('frames over the speech socket', () => {
  it('sends JPEG frames at the frame rate and the audio as it plays, on one clock, with the speech whole', async () => {
    const agent = await frameAgent({ video: 'jpeg', jpegQuality: 70 });
    await expect.poll(() => agent.events.some((e) => e.type === 'ready'), { timeout: 5000, message: 'ready' }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the idle face flows before any speech
    expect(agent.media.filter((m) => m.kind === MEDIA_KIND.jpeg).length).toBeGreaterThan(5);
    // All of it at once: a sender paced by timers can stall on a loaded machine and starve the player, whose gap is
    // then (rightly) silence inside the speech; this test is about what comes back, not about the sender's pace.
    for (let offset = 0; offset < speech.length; offset += 640) agent.socket.send(speech.subarray(offset, offset + 640));
    await expect
      .poll(() => agent.events.some((e) => e.type === 'playback_finished'), { timeout: 20_000, message: 'playback_finished' })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const frames = agent.media.filter((m) => m.kind === MEDIA_KIND.jpeg);
    const first = await sharp(frames.at(-1)!.payload).metadata();
    expect([first.format, first.width, first.height]).toEqual(['jpeg', 256, 256]);
    expect(frames.every((f) => f.a === 256 && f.b === 256)).toBe(true);
    // 25 fps on the playout clock: frames 40 ms apart (or a multiple, where a frame was skipped or dropped under load).
    const gaps = frames.slice(1).map((f, i) => f.ptsMs - frames[i].ptsMs);
    expect(gaps.every((gap) => gap > 39 && Math.abs(gap / 40 - Math.round(gap / 40)) < 0.05)).toBe(true);
    const span = (frames.at(-1)!.ptsMs - frames[0].ptsMs) / 40 + 1;
    expect(frames.length / span).toBeGreaterThan(0.6);

    const audio = agent.media.filter((m) => m.kind === MEDIA_KIND.pcm16);
    expect(audio.every((m) => m.a === 16000 && m.b === 1 && m.payload.length === 320)).toBe(true);
    // Back to back, 10 ms apart: the playout clock, not the network, times them.
    expect(audio.slice(1).every((m, i) => Math.abs(m.ptsMs - audio[i].ptsMs - 10) < 0.01)).toBe(true);
    // Every sample of the speech comes back, in order, between silences.
    const pcm = Buffer.concat(audio.map((m) => m.payload));
    const start = pcm.indexOf(speech.subarray(0, 64));
    expect(start).toBeGreaterThan(0);
    expect(pcm.subarray(start, start + speech.length).equals(speech)).toBe(true);

    // Each frame's mouth is the mouth of the audio playing at its time: the debug mouth events carry the frame times.
    const mouths = agent.events.filter((e) => e.type === 'mouth') as unknown as { atMs: number; open: number }[];
    const speechStartMs = audio[start / 320].ptsMs;
    const speechEndMs = speechStartMs + (speech.length / 32000) * 1000;
    const during = mouths.filter((m) => m.atMs > speechStartMs + 100 && m.atMs < speechEndMs - 100);
    const outside = mouths.filter((m) => m.atMs < speechStartMs - 40 || m.atMs > speechEndMs + 40);
    expect(Math.max(...during.map((m) => m.open))).toBeGreaterThan(0.3);
    expect(outside.every((m) => m.open === 0)).toBe(true);
    expect(frames.some((f) => during.some((m) => Math.abs(m.atMs - f.ptsMs) < 1))).toBe(true);
    agent.socket.close();
  });

  it('sends raw I420 when asked, and after an interrupt nothing of the cut speech', async () => {
    const agent = await frameAgent({ video: 'i420', audio: true });
    await expect.poll(() => agent.events.some((e) => e.type === 'ready'), { timeout: 5000, message: 'ready' }).toBe(true);
    const sending = send(agent.socket, speech, 1);
    await expect
      .poll(() => agent.events.some((e) => e.type === 'playback_started'), { timeout: 5000, message: 'playback_started' })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    agent.socket.send(JSON.stringify({ type: 'interrupt' }));
    await expect.poll(() => agent.events.some((e) => e.type === 'interrupted'), { timeout: 5000, message: 'interrupted' }).toBe(true);
    await sending;
    agent.socket.send(JSON.stringify({ type: 'interrupt' })); // the rest that arrived meanwhile
    await new Promise((resolve) => setTimeout(resolve, 400));
    const frames = agent.media.filter((m) => m.kind === MEDIA_KIND.i420);
    expect(frames.every((f) => f.payload.length === 256 * 256 * 1.5)).toBe(true);
    // The `interrupted` event is the barrier: audio after it is silence, mouths after it are closed.
    const barrier = agent.events.filter((e) => e.type === 'interrupted').at(-1)!.order;
    const after = agent.media.filter((m) => m.kind === MEDIA_KIND.pcm16 && m.order > barrier);
    expect(after.length).toBeGreaterThan(10);
    expect(after.every((m) => m.payload.every((byte) => byte === 0))).toBe(true);
    const mouthsAfter = agent.events.filter((e) => e.type === 'mouth' && e.order > barrier) as unknown as { open: number }[];
    expect(mouthsAfter.length).toBeGreaterThan(3);
    expect(mouthsAfter.every((m) => m.open === 0)).toBe(true);
    agent.socket.close();
  });

  it('drops frames for a consumer that stops reading, counts them, keeps the renderer bounded, and recovers', async () => {
    const agent = await frameAgent({ video: 'i420' });
    await expect.poll(() => agent.events.some((e) => e.type === 'ready'), { timeout: 5000, message: 'ready' }).toBe(true);
    // Stop reading: TCP fills, then the renderer's send buffer; it must drop rather than queue.
    (agent.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const stalled = await status(agent.id);
    expect(stalled.metrics.framesDropped).toBeGreaterThan(40);
    const rss = Number(
      (await import('node:fs')).readFileSync(`/proc/${live.renderer.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1],
    );
    expect(rss / 1024).toBeLessThan(600); // MiB: frames were not queued (100 s of them would be ~500 MB)
    (agent.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const before = agent.media.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const fresh = agent.media.slice(before).filter((m) => m.kind === MEDIA_KIND.i420);
    expect(fresh.length).toBeGreaterThan(10);
    agent.socket.close();
  });

  it('closes with 4003 and a sentence for a bad output request; the session lives on', async () => {
    for (const [output, sentence] of [
      [{ video: 'png' }, /"video": "jpeg" or "i420"/],
      [{ video: 'jpeg', jpegQuality: 0 }, /jpegQuality/],
      [{ video: 'jpeg', fps: 5 }, /unknown field "fps"/],
      ['jpeg', /must be an object/],
    ] as const) {
      const agent = await frameAgent(output as Record<string, unknown>);
      expect(await agent.closed).toBe(4003);
      expect(String(agent.events.find((e) => e.type === 'error')?.message)).toMatch(sentence);
      expect((await status(agent.id)).state).toBe('active');
    }
  });
});
