import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdleMotion } from '../../renderer/engine/idle-motion.ts';
import { LEFT_EYE, RIGHT_EYE } from '../../renderer/engine/landmark-indices.ts';
import { cornerMotion, darkPixels, landmarkBox, meanDifference, prepareAstronaut, type PreparedPortrait } from './astronaut-portrait.ts';
import { startRenderer, waitHealthy, type RunningRenderer } from './renderer-process.ts';
import { decodeFrames, expectFaststartH264, probeMp4 } from './video-probe.ts';

const SECRET = 'test-secret-0123456789';
const auth = { Authorization: `Bearer ${SECRET}` };
let portrait: PreparedPortrait;
let renderer: RunningRenderer;

const env = (config: object) => ({
  RENDERER_SECRET: SECRET,
  RENDERER_PORT: '0',
  AVATAR_ID: 'avt_rendererTest0001',
  PORTRAIT_IMAGE: portrait.imagePath,
  PORTRAIT_FACE: portrait.facePath,
  RENDER_CONFIG: JSON.stringify(config),
});

async function preview(base: string, body: unknown, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${base}/preview`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  portrait = await prepareAstronaut();
  renderer = await startRenderer(env({ resolution: '512x512', frameRate: 30, idleMotion: true }));
  await waitHealthy(renderer.baseUrl);
});

afterAll(async () => {
  await renderer?.stop();
  await portrait?.cleanup();
});

describe('the rendering container as a process', () => {
  it('answers health without a secret and info only with it', async () => {
    const health = await fetch(`${renderer.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: SECRET }] as Record<string, string>[]) {
      const denied = await fetch(`${renderer.baseUrl}/info`, { headers });
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ code: 'unauthorized' });
      expect((await preview(renderer.baseUrl, {}, headers)).status).toBe(401);
    }

    const info = await (await fetch(`${renderer.baseUrl}/info`, { headers: auth })).json();
    expect(info).toMatchObject({
      avatarId: 'avt_rendererTest0001',
      resolution: '512x512',
      frameRate: 30,
      idleMotion: true,
      engine: 'cpu',
      version: '0.1.0',
    });
    expect(Number.isInteger(info.seed)).toBe(true);
    expect(info.uptimeSeconds).toBeGreaterThanOrEqual(0);

    const missing = await fetch(`${renderer.baseUrl}/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not-found' });
  });

  it('rejects bad preview bodies with 400 JSON errors', async () => {
    const cases: [unknown, string][] = [
      ['{not json', 'invalid-json'],
      [[1, 2], 'validation-failed'],
      [{ durationSeconds: 0.2 }, 'validation-failed'],
      [{ durationSeconds: 11 }, 'validation-failed'],
      [{ durationSeconds: '3' }, 'validation-failed'],
      [{ seed: 1.5 }, 'validation-failed'],
      [{ seed: -1 }, 'validation-failed'],
      [{ fps: 60 }, 'validation-failed'],
    ];
    for (const [body, code] of cases) {
      const response = await preview(renderer.baseUrl, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const json = await response.json();
      expect(json.code).toBe(code);
      expect(typeof json.error).toBe('string');
    }
    const huge = await preview(renderer.baseUrl, JSON.stringify({ pad: 'x'.repeat(40_000) }));
    expect(huge.status).toBe(413);
  });

  it('renders a preview MP4 in which the eyes blink and the corners stay put', async () => {
    const info = await (await fetch(`${renderer.baseUrl}/info`, { headers: auth })).json();
    const response = await preview(renderer.baseUrl, { durationSeconds: 2 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const mp4 = Buffer.from(await response.arrayBuffer());
    await expectFaststartH264(mp4, { width: 512, height: 512, fps: 30, frames: 60 });

    const frames = await decodeFrames(mp4, 512, 512);
    expect(frames).toHaveLength(60);
    // The blink schedule is a function of the seed /info reports; find the most closed frame.
    const motion = new IdleMotion(info.seed);
    const closures = frames.map((_, i) => motion.pose(i / 30).blink);
    const peak = closures.indexOf(Math.max(...closures));
    expect(closures[peak]).toBeGreaterThan(0.6);
    for (const eye of [RIGHT_EYE, LEFT_EYE]) {
      const box = landmarkBox(portrait.face, [eye.outerCorner, eye.innerCorner, ...eye.upperLid, ...eye.lowerLid]);
      expect(meanDifference(frames[0], frames[peak], 512, box)).toBeGreaterThan(8);
      expect(darkPixels(frames[peak], 512, box, 50, 3)).toBeLessThan(darkPixels(frames[0], 512, box, 50, 3));
    }
    expect(cornerMotion(frames, 512)).toBeLessThan(1);
  });

  it('serves concurrent previews one after the other, each with its seed', async () => {
    const [a, b, c] = await Promise.all([
      preview(renderer.baseUrl, { durationSeconds: 0.5, seed: 1 }),
      preview(renderer.baseUrl, { durationSeconds: 0.5, seed: 1 }),
      preview(renderer.baseUrl, { durationSeconds: 0.5, seed: 2 }),
    ]);
    const clips = await Promise.all([a, b, c].map(async (r) => Buffer.from(await r.arrayBuffer())));
    for (const [i, clip] of clips.entries()) {
      expect([a, b, c][i].status).toBe(200);
      expect((await probeMp4(clip)).stream.nb_read_frames).toBe('15');
    }
    // Same seed, same encoder input: x264 is deterministic on one input, so the clips match.
    expect(clips[0].equals(clips[1])).toBe(true);
    expect((await fetch(`${renderer.baseUrl}/health`)).status).toBe(200);
  });

  it('holds still with idleMotion off, at another resolution and frame rate', async () => {
    const still = await startRenderer(env({ resolution: '640x360', frameRate: 24, idleMotion: false }));
    try {
      await waitHealthy(still.baseUrl);
      const response = await preview(still.baseUrl, { durationSeconds: 1.5 });
      const mp4 = Buffer.from(await response.arrayBuffer());
      const { stream } = await probeMp4(mp4);
      expect(stream).toMatchObject({
        codec_name: 'h264',
        pix_fmt: 'yuv420p',
        width: 640,
        height: 360,
        r_frame_rate: '24/1',
        nb_read_frames: '36',
      });
      const frames = await decodeFrames(mp4, 640, 360);
      for (const frame of frames.slice(1)) expect(meanDifference(frames[0], frame, 640, [0, 0, 639, 359])).toBeLessThan(0.5);
    } finally {
      expect(await still.stop()).toBe(0);
    }
  });

  it('refuses to start without a secret or with a missing portrait', async () => {
    const { RENDERER_SECRET: _secret, ...noSecret } = env({});
    await expect(startRenderer(noSecret)).rejects.toThrow(/exited \(1\).*RENDERER_SECRET/s);
    const broken = await startRenderer({ ...env({}), PORTRAIT_IMAGE: `${portrait.dir}/missing.png` });
    expect(await broken.exited).toBe(1);
    expect(broken.stderr()).toMatch(/portrait could not be loaded/);
  });

  it('fetches the portrait from http URLs and answers 503 on /health until it has it', async () => {
    const files: Record<string, Buffer> = {
      '/image.png': await readFile(portrait.imagePath),
      '/face.json': await readFile(portrait.facePath),
    };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const origin = http.createServer(async (request, response) => {
      await released;
      const body = files[request.url ?? ''];
      response.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    const remote = await startRenderer({ ...env({}), PORTRAIT_IMAGE: `${url}/image.png`, PORTRAIT_FACE: `${url}/face.json` });
    try {
      const loading = await fetch(`${remote.baseUrl}/health`);
      expect(loading.status).toBe(503);
      const early = await preview(remote.baseUrl, { durationSeconds: 0.5 });
      expect(early.status).toBe(503);
      expect(await early.json()).toMatchObject({ code: 'service-unavailable' });
      release();
      await waitHealthy(remote.baseUrl);
      expect((await preview(remote.baseUrl, { durationSeconds: 0.5 })).status).toBe(200);
    } finally {
      release();
      await remote.stop();
      origin.close();
    }
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const running = await startRenderer(env({}));
    await waitHealthy(running.baseUrl);
    expect(await running.stop()).toBe(0);
  });
});
