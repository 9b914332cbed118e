// Tier 2/3 talking videos end to end: the API takes an uploaded WAV, deploys the on-demand avatar's rendering container
// (a real renderer process), renders there, stores the MP4 and signs a video.completed webhook to a real receiver. The
// MP4 is checked independently with ffprobe and ffmpeg: streams, size, rate, duration, and the mouth moving where the
// speech is and resting in the silence around it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceGeometry } from '../../contract/face-geometry.ts';
import { RENDERER_VIDEO_PATHS, VIDEO_SAMPLE_RATE, videoFrameCount } from '../../contract/videos.ts';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { readyLiveAvatar } from '../harness/live-avatar.ts';
import { keyPerSuite, serverPerSuite } from '../harness/server-per-suite.ts';
import { landmarkBox, meanDifference } from '../renderer/astronaut-portrait.ts';
import { espeakPcm16, wavOf } from '../renderer/espeak-speech.ts';
import { decodeFrames } from '../renderer/video-probe.ts';
import { type Receiver, startReceiver } from '../webhooks/receiver.ts';
import { download, form, postForm, probe, videoFilesOf, waitForVideo } from './video-media.ts';

const FPS = 30;
const SIZE = 512;

/** Which frames hold speech: the frame's stretch of samples is louder than a whisper. */
function speechFrames(pcm: Buffer, frames: number): boolean[] {
  const perFrame = VIDEO_SAMPLE_RATE / FPS;
  return Array.from({ length: frames }, (_, f) => {
    let sum = 0;
    let n = 0;
    for (let i = Math.floor(f * perFrame); i < Math.min(pcm.length / 2, Math.floor((f + 1) * perFrame)); i++, n++)
      sum += pcm.readInt16LE(i * 2) ** 2;
    return n > 0 && Math.sqrt(sum / n) > 300;
  });
}

describe('Tier 2/3 talking videos through the API and a rendering container', () => {
  const server = serverPerSuite('sqlite', { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const owner = keyPerSuite(server, 'u_portrait_video', 'org_portrait_video', ['avatars:read', 'avatars:write', 'webhooks:admin']);
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());

  describe('happy', () => {
    it('renders an uploaded WAV on an on-demand portrait: H.264 + AAC at 512x512/30, as long as the audio, the mouth moving with the speech', async () => {
      const hook = await server.api('POST', '/api/v1/webhooks', {
        key: owner,
        body: { url: receiver.url, events: ['video.completed', 'video.failed'] },
      });
      expect(hook.status).toBe(201);
      receiver.useSecret(hook.body.secret);
      const id = await readyLiveAvatar(server, owner, 'animated_portrait', { schedulingMode: 'on_demand', autoShutdownMinutes: 5 });

      const silence = Buffer.alloc(VIDEO_SAMPLE_RATE * 2);
      const pcm = Buffer.concat([
        silence,
        espeakPcm16('Hello, I am an astronaut, and this is my talking video.', VIDEO_SAMPLE_RATE),
        silence,
      ]);
      const answer = await postForm(
        server,
        owner,
        `/api/v1/avatars/${id}/videos`,
        form({ audio: wavOf(pcm, VIDEO_SAMPLE_RATE) }, { expression: 'happy' }),
      );
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        status: 'queued',
        width: SIZE,
        height: SIZE,
        frameRate: FPS,
        expression: { name: 'happy', intensity: 1 },
      });
      const seconds = pcm.length / 2 / VIDEO_SAMPLE_RATE;
      expect(answer.body.durationSeconds).toBeCloseTo(seconds, 6);

      // The job goes through rendering (the container is started for it) to completed.
      const seen = new Set<string>();
      const done = await waitForVideo(
        server,
        owner,
        answer.body._id,
        (v) => {
          seen.add(v.status);
          return v.status === 'completed' || v.status === 'failed';
        },
        240_000,
      );
      expect(done).toMatchObject({ status: 'completed', progress: 1, error: null, transparentUrl: null });
      expect(seen.has('rendering')).toBe(true);

      const mp4 = await download(done.url);
      const info = probe(mp4);
      expect(info.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
      const video = info.streams.find((s) => s.codec_type === 'video')!;
      expect([video.width, video.height, video.r_frame_rate, video.pix_fmt]).toEqual([SIZE, SIZE, `${FPS}/1`, 'yuv420p']);
      expect(Math.abs(info.format.duration - seconds)).toBeLessThanOrEqual(1 / FPS + 0.002);

      // The mouth, located by the avatar's own face analysis, moves where the speech is and rests in the silence.
      const avatar = await server.server.services.store.avatars.findById(id);
      const faceBlob = await server.server.services.blobs.get(avatar!.artifact!.faceKey);
      const chunks: Buffer[] = [];
      for await (const chunk of faceBlob!.body) chunks.push(chunk as Buffer);
      const face = JSON.parse(Buffer.concat(chunks).toString()) as FaceGeometry;
      const frames = await decodeFrames(mp4, SIZE, SIZE);
      const frameCount = videoFrameCount(pcm.length / 2, FPS);
      expect(frames).toHaveLength(frameCount);
      const box = landmarkBox(face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 4);
      const change = frames.map((frame, i) => (i === 0 ? 0 : meanDifference(frames[i - 1]!, frame, SIZE, box)));
      const speaking = speechFrames(pcm, frameCount);
      const first = speaking.indexOf(true);
      const last = speaking.lastIndexOf(true);
      const margin = Math.round(0.3 * FPS);
      const silent = change.filter((_, i) => i > 0 && (i < first - margin || i > last + margin));
      const spoken = change.filter((_, i) => i >= first && i <= last);
      expect(silent.length).toBeGreaterThan(FPS);
      expect(Math.max(...spoken)).toBeGreaterThan(3 * Math.max(...silent));
      expect(spoken.filter((d) => d > 5).length).toBeGreaterThan(10);

      // A signed video.completed reached the receiver, with the video as GET shows it.
      const deadline = Date.now() + 30_000;
      while (!receiver.received.some((r) => r.body.type === 'video.completed') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const event = receiver.received.find((r) => r.body.type === 'video.completed');
      expect(event?.body.data).toMatchObject({ _id: answer.body._id, status: 'completed', url: done.url });
      expect(receiver.rejected).toEqual([]);
    }, 300_000);

    it('cancels a rendering job with DELETE: the render stops, the container drops it, and nothing is left', async () => {
      const id = await readyLiveAvatar(server, owner, 'realtime_lipsync', { schedulingMode: 'on_demand' });
      // Half a minute of speech: still rendering when the DELETE comes.
      const speech = espeakPcm16('This clip is cancelled by its owner while the rendering container draws it.', VIDEO_SAMPLE_RATE);
      const pcm = Buffer.concat([speech, Buffer.alloc(VIDEO_SAMPLE_RATE * 2 * 25), speech]);
      const made = await postForm(server, owner, `/api/v1/avatars/${id}/videos`, form({ audio: wavOf(pcm, VIDEO_SAMPLE_RATE) }));
      expect(made.status).toBe(202);
      await waitForVideo(server, owner, made.body._id, (v) => v.status !== 'queued', 120_000);
      expect((await server.api('DELETE', `/api/v1/videos/${made.body._id}`, { key: owner })).status).toBe(204);
      const deadline = Date.now() + 60_000;
      while (server.server.videos.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(server.server.videos.active).toBe(0);
      // The container holds no render of it any more (cancelled, or dropped once fetched).
      const deployment = await server.server.services.store.deployments.find(id);
      const status = await fetch(`${deployment!.endpoint}${RENDERER_VIDEO_PATHS.video(made.body._id)}`, {
        headers: { authorization: `Bearer ${deployment!.secret}` },
      });
      expect(status.status).toBe(404);
      expect(await server.server.services.store.videos.find(made.body._id)).toBeNull();
      expect(videoFilesOf(server, id)).toEqual([]);
    }, 300_000);
  });
});
