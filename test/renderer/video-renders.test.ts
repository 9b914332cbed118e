import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_VIDEO_PATHS, type RenderVideoStatus, VIDEO_SAMPLE_RATE, videoFrameCount } from '../../contract/videos.ts';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { landmarkBox, meanDifference, type PreparedPortrait, prepareAstronaut } from './astronaut-portrait.ts';
import { espeakPcm16 } from './espeak-speech.ts';
import { type RunningRenderer, startRenderer, waitHealthy } from './renderer-process.ts';
import { decodeFrames, probeMp4 } from './video-probe.ts';

const run = promisify(execFile);
const SECRET = 'test-secret-video-0123456789';
const auth = { Authorization: `Bearer ${SECRET}` };
const FPS = 30;
const SIZE = 512;
const MAX_SECONDS = 30;

let portrait: PreparedPortrait;
let renderer: RunningRenderer;
let tmp: string;
let jobCounter = 0;

/** A fresh API-style job id: `vid_` and 20 base62 characters. */
function jobId(): string {
  jobCounter++;
  return `vid_${`test${jobCounter}`.padEnd(20, 'x')}`;
}

function silence(seconds: number): Buffer {
  return Buffer.alloc(Math.round(seconds * VIDEO_SAMPLE_RATE) * 2);
}

function post(body: unknown, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videos}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function request(pcm: Buffer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { jobId: jobId(), pcmBase64: pcm.toString('base64'), ...extra };
}

async function status(id: string): Promise<Response> {
  return fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.video(id)}`, { headers: auth });
}

/** Polls the job until it leaves `rendering` (generous: CI runs everything on two cores). */
async function finished(id: string, timeoutMs = 240_000): Promise<RenderVideoStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = (await (await status(id)).json()) as RenderVideoStatus;
    if (answer.state !== 'rendering') return answer;
    if (Date.now() > deadline) throw new Error(`The render ${id} did not finish: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Renderer folders of one job left under the renderer's TMPDIR. */
async function jobFolders(id: string): Promise<string[]> {
  const found: string[] = [];
  for (const root of await readdir(tmp)) {
    if (!root.startsWith('renderer-videos-')) continue;
    for (const entry of await readdir(path.join(tmp, root))) if (entry === id) found.push(entry);
  }
  return found;
}

interface Probed {
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    sample_rate?: string;
    duration: string;
  }[];
  format: { duration: string };
}

async function ffprobe(mp4: Buffer): Promise<Probed> {
  const file = path.join(tmp, `probe-${jobCounter}.mp4`);
  await writeFile(file, mp4);
  try {
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type,codec_name,width,height,r_frame_rate,sample_rate,duration:format=duration',
      '-of',
      'json',
      file,
    ]);
    return JSON.parse(stdout) as Probed;
  } finally {
    await rm(file, { force: true });
  }
}

beforeAll(async () => {
  portrait = await prepareAstronaut();
  tmp = await mkdtemp(path.join(tmpdir(), 'video-renders-'));
  renderer = await startRenderer({
    RENDERER_SECRET: SECRET,
    RENDERER_PORT: '0',
    AVATAR_ID: 'avt_videoRendersTest1',
    PORTRAIT_IMAGE: portrait.imagePath,
    PORTRAIT_FACE: portrait.facePath,
    RENDER_CONFIG: JSON.stringify({ resolution: `${SIZE}x${SIZE}`, frameRate: FPS, idleMotion: true }),
    RENDERER_VIDEO_MAX_SECONDS: String(MAX_SECONDS),
    TMPDIR: tmp,
  });
  await waitHealthy(renderer.baseUrl);
}, 120_000);

afterAll(async () => {
  await renderer?.stop();
  await portrait?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('talking videos in the rendering container', () => {
  it('renders espeak-ng speech into an H.264 + AAC MP4 whose mouth moves where the speech is and rests in silence', async () => {
    const lead = 1;
    const tail = 1;
    const pcm = Buffer.concat([
      silence(lead),
      espeakPcm16('Hello, I am an astronaut, and this is my talking video.', VIDEO_SAMPLE_RATE),
      silence(tail),
    ]);
    const body = request(pcm);
    const id = body.jobId as string;
    const created = await post(body);
    expect(created.status).toBe(202);
    const first = (await created.json()) as RenderVideoStatus;
    const samples = pcm.length / 2;
    expect(first).toMatchObject({ jobId: id, state: 'rendering', error: null, width: SIZE, height: SIZE, frameRate: FPS });
    expect(first.durationSeconds).toBeCloseTo(samples / VIDEO_SAMPLE_RATE, 6);

    // The same job id again answers the job (200), it does not start a second render.
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as RenderVideoStatus).jobId).toBe(id);

    const done = await finished(id);
    expect(done).toMatchObject({ jobId: id, state: 'completed', progress: 1, error: null });
    const repeat = await post(body);
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ state: 'completed' });

    const file = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videoFile(id)}`, { headers: auth });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    const mp4 = Buffer.from(await file.arrayBuffer());
    const frameCount = videoFrameCount(samples, FPS);

    // An independent decode: the streams, size, rate, every frame, the index first, and the audio's duration ±1 frame.
    const { stream, moovFirst } = await probeMp4(mp4);
    expect(moovFirst).toBe(true);
    expect(stream).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: SIZE, height: SIZE, r_frame_rate: `${FPS}/1` });
    expect(Number(stream.nb_read_frames)).toBe(frameCount);
    const probed = await ffprobe(mp4);
    expect(probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    const audio = probed.streams.find((s) => s.codec_type === 'audio')!;
    expect(Number(audio.sample_rate)).toBe(VIDEO_SAMPLE_RATE);
    const seconds = samples / VIDEO_SAMPLE_RATE;
    expect(Math.abs(Number(probed.format.duration) - seconds)).toBeLessThanOrEqual(1 / FPS + 0.002);
    expect(Math.abs(Number(audio.duration) - seconds)).toBeLessThanOrEqual(1 / FPS);

    // The mouth region frame to frame: it jumps while the speech plays and only drifts with the head in silence.
    const frames = await decodeFrames(mp4, SIZE, SIZE);
    expect(frames).toHaveLength(frameCount);
    const box = landmarkBox(portrait.face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 4);
    const change = frames.map((frame, i) => (i === 0 ? 0 : meanDifference(frames[i - 1], frame, SIZE, box)));
    const speaking = speechFrames(pcm, frameCount);
    const firstSpoken = speaking.indexOf(true);
    const lastSpoken = speaking.lastIndexOf(true);
    expect(firstSpoken).toBeGreaterThan(0.8 * FPS);
    const margin = Math.round(0.3 * FPS);
    const silent = change.filter((_, i) => i > 0 && (i < firstSpoken - margin || i > lastSpoken + margin));
    const spoken = change.filter((_, i) => i >= firstSpoken && i <= lastSpoken);
    expect(silent.length).toBeGreaterThan(FPS);
    expect(Math.max(...silent)).toBeLessThan(3);
    expect(Math.max(...spoken)).toBeGreaterThan(10);
    // Not one jump: the mouth keeps moving through the sentence.
    expect(spoken.filter((d) => d > 5).length).toBeGreaterThan(10);
  }, 300_000);

  it('cancels a render with DELETE: it is gone, its files too, and a second DELETE answers 404', async () => {
    const body = request(Buffer.concat([espeakPcm16('A longer clip that is cancelled while it renders.', VIDEO_SAMPLE_RATE), silence(20)]));
    const id = body.jobId as string;
    expect((await post(body)).status).toBe(202);
    // Twenty seconds of video take far longer than this request to draw.
    const early = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videoFile(id)}`, { headers: auth });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: 'video-not-ready' });
    expect(await jobFolders(id)).toEqual([id]);

    const deleted = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.video(id)}`, { method: 'DELETE', headers: auth });
    expect(deleted.status).toBe(204);
    expect((await status(id)).status).toBe(404);
    const file = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videoFile(id)}`, { headers: auth });
    expect(file.status).toBe(404);
    expect(await file.json()).toMatchObject({ code: 'not-found' });
    expect(await jobFolders(id)).toEqual([]);
    const twice = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.video(id)}`, { method: 'DELETE', headers: auth });
    expect(twice.status).toBe(404);
    expect(await twice.json()).toMatchObject({ code: 'not-found' });

    // The renderer renders on afterwards: the next job completes.
    const next = request(Buffer.concat([espeakPcm16('Still here.', VIDEO_SAMPLE_RATE)]));
    expect((await post(next)).status).toBe(202);
    expect((await finished(next.jobId as string)).state).toBe('completed');
  }, 300_000);

  it('holds an expression and takes the idle motion of a given seed', async () => {
    const speech = espeakPcm16('Hi.', VIDEO_SAMPLE_RATE);
    const job = request(speech, { expression: { name: 'happy', intensity: 0.7 }, seed: 42 });
    expect((await post(job)).status).toBe(202);
    expect(await finished(job.jobId as string)).toMatchObject({ state: 'completed', error: null });
    const mp4 = Buffer.from(
      await (await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videoFile(job.jobId as string)}`, { headers: auth })).arrayBuffer(),
    );
    expect((await probeMp4(mp4)).stream).toMatchObject({ codec_name: 'h264', width: SIZE, height: SIZE });
  }, 300_000);

  it('refuses bad requests with 400 and the renderer error shape, and holds nothing for them', async () => {
    const pcm = silence(0.5).toString('base64');
    const good = { jobId: jobId(), pcmBase64: pcm };
    const cases: [unknown, string][] = [
      ['{not json', 'invalid-json'],
      [[1, 2], 'validation-failed'],
      [{ pcmBase64: pcm }, 'validation-failed'],
      [{ ...good, jobId: 'job-1' }, 'validation-failed'],
      [{ ...good, pcmBase64: '' }, 'validation-failed'],
      [{ ...good, pcmBase64: 'not base64!' }, 'validation-failed'],
      [{ ...good, pcmBase64: Buffer.from([1, 2, 3]).toString('base64') }, 'validation-failed'],
      [{ ...good, pcmBase64: silence(MAX_SECONDS + 1).toString('base64') }, 'validation-failed'],
      [{ ...good, expression: { name: 'smug' } }, 'validation-failed'],
      [{ ...good, expression: { name: 'happy', intensity: 3 } }, 'validation-failed'],
      [{ ...good, expression: 'happy' }, 'validation-failed'],
      // A portrait fills the frame edge to edge: there is no background to ask for.
      [{ ...good, background: { color: '#000000' } }, 'validation-failed'],
      [{ ...good, seed: -1 }, 'validation-failed'],
      [{ ...good, seed: 1.5 }, 'validation-failed'],
      [{ ...good, fps: 60 }, 'validation-failed'],
    ];
    for (const [body, code] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      const json = (await response.json()) as { error: string; code: string };
      expect(json.code).toBe(code);
      expect(typeof json.error).toBe('string');
    }
    expect((await status(good.jobId)).status).toBe(404);
    expect(await jobFolders(good.jobId)).toEqual([]);

    const huge = await post(JSON.stringify({ ...good, pcmBase64: 'A'.repeat(4 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: 'payload-too-large' });

    const unknown = await status(jobId());
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not-found' });
    const wrongMethod = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videos}`, { headers: auth });
    expect(wrongMethod.status).toBe(405);
    const deeper = await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.video(good.jobId)}/webm`, { headers: auth });
    expect(deeper.status).toBe(404);
  });

  it('answers every video route only with the renderer secret', async () => {
    const id = jobId();
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: SECRET }] as Record<string, string>[]) {
      const responses = [
        await post({ jobId: id, pcmBase64: silence(0.2).toString('base64') }, headers),
        await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.video(id)}`, { headers }),
        await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.videoFile(id)}`, { headers }),
        await fetch(`${renderer.baseUrl}${RENDERER_VIDEO_PATHS.video(id)}`, { method: 'DELETE', headers }),
      ];
      for (const response of responses) {
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'unauthorized' });
      }
    }
    expect((await status(id)).status).toBe(404);
  });
});

/** Which video frames carry speech: the PCM under each frame is louder than near-silence. */
function speechFrames(pcm: Buffer, count: number): boolean[] {
  const perFrame = VIDEO_SAMPLE_RATE / FPS;
  const flags: boolean[] = [];
  for (let f = 0; f < count; f++) {
    let energy = 0;
    let n = 0;
    for (let i = f * perFrame; i < Math.min((f + 1) * perFrame, pcm.length / 2); i++, n++) energy += pcm.readInt16LE(2 * i) ** 2;
    flags.push(n > 0 && Math.sqrt(energy / n) > 300);
  }
  return flags;
}
