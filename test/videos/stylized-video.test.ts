// Stylized_3d talking videos through the API: the starter VRM rendered in the API's headless Chromium, with a WebM
// whose alpha is real; and a job that cannot render fails with a sentence and a signed video.failed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../fixtures.ts';
import { keyPerSuite, serverPerSuite } from '../harness/server-per-suite.ts';
import { type Receiver, startReceiver } from '../webhooks/receiver.ts';
import { download, probe, waitForVideo } from './video-media.ts';

const starter = fs.readFileSync(path.join(ROOT_DIR, 'web', 'starter', 'starter.vrm'));

/** The smallest and largest alpha value of every pixel of a WebM, decoded with libvpx-vp9 (the decoder that reads alpha). */
function alphaRange(webm: Buffer): [number, number] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-alpha-'));
  try {
    const file = path.join(dir, 'clip.webm');
    fs.writeFileSync(file, webm);
    const alpha = execFileSync(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-c:v', 'libvpx-vp9', '-i', file, '-vf', 'alphaextract,format=gray', '-f', 'rawvideo', '-'],
      { maxBuffer: 1024 * 1024 * 1024 },
    );
    let min = 255;
    let max = 0;
    for (const value of alpha) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return [min, max];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('stylized_3d talking videos through the API', () => {
  const server = serverPerSuite('sqlite', { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const owner = keyPerSuite(server, 'u_vrm_video', 'org_vrm_video', ['avatars:read', 'avatars:write', 'webhooks:admin']);
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    const hook = await server.api('POST', '/api/v1/webhooks', {
      key: owner,
      body: { url: receiver.url, events: ['video.completed', 'video.failed'] },
    });
    receiver.useSecret(hook.body.secret);
  });
  afterAll(() => receiver?.close());
  const eventFor = async (type: string, id: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const event = receiver.received.find((r) => r.body.type === type && r.body.data._id === id);
      if (event || Date.now() > deadline) return event;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  describe('happy', () => {
    it('renders the starter VRM speaking a text: an MP4 over the background colour and a WebM with real alpha', async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', {
          key: owner,
          body: { name: 'Starter', tier: 'stylized_3d', config: { resolution: '256x256', frameRate: 24 } },
        })
      ).body;
      const upload = await server.api('POST', `/api/v1/avatars/${a._id}/source`, {
        key: owner,
        raw: starter,
        headers: { 'content-type': 'model/vrm' },
      });
      expect(upload.status).toBe(200);
      const made = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, {
        key: owner,
        body: {
          text: 'Hello from the starter avatar.',
          voice: 'en-gb',
          background: '#204060',
          transparent: true,
          expression: { name: 'happy' },
        },
      });
      expect(made.status).toBe(202);
      const done = await waitForVideo(server, owner, made.body._id, (v) => v.status === 'completed' || v.status === 'failed', 180_000);
      expect(done).toMatchObject({ status: 'completed', error: null });
      const mp4 = probe(await download(done.url));
      expect(mp4.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
      const video = mp4.streams.find((s) => s.codec_type === 'video')!;
      expect([video.width, video.height, video.r_frame_rate]).toEqual([256, 256, '24/1']);
      expect(Math.abs(mp4.format.duration - done.durationSeconds)).toBeLessThanOrEqual(1 / 24 + 0.03);
      const webmBytes = await download(done.transparentUrl);
      const webm = probe(webmBytes);
      expect(webm.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:opus', 'video:vp9']);
      // The avatar is opaque, the space around it fully transparent.
      expect(alphaRange(webmBytes)).toEqual([0, 255]);
      expect((await eventFor('video.completed', made.body._id))?.body.data).toMatchObject({
        status: 'completed',
        transparentUrl: done.transparentUrl,
      });
    }, 240_000);
  });

  describe('error', () => {
    it('fails a job whose stored speech is gone, with a sentence and a signed video.failed', async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      // The job as the store keeps it, its speech never stored: the runner finds it at its next pass.
      const now = new Date().toISOString();
      const id = 'vid_missingSpeech0000000';
      await server.server.services.store.videos.insert({
        ...{
          id,
          avatarId: a._id,
          userId: owner.userId,
          organizationId: owner.organizationId,
          status: 'queued',
          progress: 0,
          source: 'text',
        },
        ...{
          speechKey: `avatars/${a._id}/videos/${id}/${'0'.repeat(64)}.pcm`,
          expression: null,
          background: null,
          transparent: false,
          seed: 7,
        },
        ...{ durationSeconds: 1, width: 256, height: 256, frameRate: 24, videoKey: null, transparentKey: null, error: null, attempts: 0 },
        ...{ createdAt: now, updatedAt: now, completedAt: null },
      });
      server.server.services.background.wake();
      const failed = await waitForVideo(server, owner, id, (v) => v.status === 'failed' || v.status === 'completed', 60_000);
      expect(failed).toMatchObject({
        status: 'failed',
        url: null,
        error: expect.stringMatching(/stored input is missing.*make the video again\.$/),
      });
      expect((await eventFor('video.failed', id))?.body.data).toMatchObject({ _id: id, status: 'failed', error: failed.error });
    });
  });
});
