// A job survives the API's death: the API (`avatars serve`, its own process) is SIGKILLed mid-render, no shutdown hook
// runs, and the next process takes the job over once its lease runs out and finishes it. The video is then whole.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import { type ApiProcess, startApiProcess } from '../reliability/harness/api-process.ts';
import { createDataTarget, type DataTarget } from '../reliability/harness/data-target.ts';
import { STORE_KINDS } from '../harness/stores.ts';
import { download, probe } from './video-media.ts';

describe.each(STORE_KINDS)('a video job killed mid-render (%s)', (kind) => {
  let target: DataTarget | undefined;
  let api: ApiProcess | undefined;
  afterEach(async () => {
    await api?.kill();
    await target?.remove();
  });

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${api!.url}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const waitFor = async (id: string, key: string, done: (v: any) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const video = (await call('GET', `/api/v1/videos/${id}`, key)).body;
      if (done(video)) return video;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${id}: ${JSON.stringify(video)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  describe('happy', () => {
    it('completes after a SIGKILL of the API and a restart', async () => {
      target = await createDataTarget(kind);
      // A short lease: the dead process's hold on the job runs out in seconds.
      const env = { ...target.env, VIDEO_LEASE_MS: '3000', RECONCILE_INTERVAL_MS: '200' };
      const { key } = await target.makeKey('u_restart', 'org_restart', ['avatars:read', 'avatars:write']);
      api = await startApiProcess(env);
      const orb = await call('POST', '/api/v1/avatars', key, {
        name: 'Orb',
        tier: 'stylized_3d',
        renderStyle: 'orb',
        config: { resolution: '256x256', frameRate: 24 },
      });
      const text =
        'This video is long enough that the server is killed while it renders. It is picked up again by the next server, which finishes it from the start.';
      const made = await call('POST', `/api/v1/avatars/${orb.body._id}/videos`, key, { text });
      expect(made.status).toBe(202);
      await waitFor(made.body._id, key, (v) => v.status === 'rendering' && v.progress > 0, 120_000);
      await api.kill();

      api = await startApiProcess(env);
      const done = await waitFor(made.body._id, key, (v) => v.status === 'completed' || v.status === 'failed', 240_000);
      expect(done).toMatchObject({ status: 'completed', error: null, progress: 1 });
      const info = probe(await download(done.url));
      expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      expect(Math.abs(info.format.duration - done.durationSeconds)).toBeLessThanOrEqual(1 / 24 + 0.03);
      // The second process rendered it (the first one's attempt counts too).
      const store = await target.open();
      try {
        expect((await store.videos.find(made.body._id))?.attempts).toBe(2);
      } finally {
        await store.close();
      }
    }, 420_000);

    it("completes a Tier 2/3 job after a SIGKILL: the next process renders it in the avatar's container once the reconciler has it running again", async () => {
      target = await createDataTarget(kind);
      const env = { ...target.env, VIDEO_LEASE_MS: '3000', RECONCILE_INTERVAL_MS: '200' };
      const { key } = await target.makeKey('u_restart', 'org_restart', ['avatars:read', 'avatars:write']);
      api = await startApiProcess(env);
      const avatar = await call('POST', '/api/v1/avatars', key, {
        name: 'P',
        tier: 'animated_portrait',
        onDemand: { schedulingMode: 'on_demand' },
      });
      const upload = await fetch(`${api.url}/api/v1/avatars/${avatar.body._id}/source`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'image/png' },
        body: fs.readFileSync(PORTRAIT_FIXTURES.astronaut),
      });
      expect(upload.status).toBe(200);
      const deadline = Date.now() + 120_000;
      while ((await call('GET', `/api/v1/avatars/${avatar.body._id}`, key)).body.status !== 'ready') {
        if (Date.now() > deadline) throw new Error('the portrait was not ready in time');
        await new Promise((r) => setTimeout(r, 200));
      }
      const text =
        'This portrait video is long enough that the server is killed while the rendering container draws it. The next server asks the container again for the same job, and finishes it.';
      const made = await call('POST', `/api/v1/avatars/${avatar.body._id}/videos`, key, { text });
      expect(made.status).toBe(202);
      await waitFor(made.body._id, key, (v) => v.status === 'rendering' && v.progress > 0, 180_000);
      await api.kill();

      api = await startApiProcess(env);
      const done = await waitFor(made.body._id, key, (v) => v.status === 'completed' || v.status === 'failed', 240_000);
      expect(done).toMatchObject({ status: 'completed', error: null });
      const info = probe(await download(done.url));
      expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      expect(Math.abs(info.format.duration - done.durationSeconds)).toBeLessThanOrEqual(1 / 30 + 0.03);
      // Its container is stopped with the API that adopted it (RENDERERS_STOP_WITH_API): nothing outlives the test.
      await api.stop();
    }, 480_000);
  });
});
