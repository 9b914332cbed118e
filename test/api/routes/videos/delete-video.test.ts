import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { download, videoFilesOf, waitForVideo } from '../../../videos/video-media.ts';

describe.each(STORE_KINDS)('DELETE /api/v1/videos/:id (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'u_delete', 'org_delete');
  const orb = async () =>
    (
      await server.api('POST', '/api/v1/avatars', {
        key: owner,
        body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb', config: { resolution: '128x128', frameRate: 15 } },
      })
    ).body;

  describe('happy', () => {
    it('removes a finished video and its files: the job is gone and its URL answers 404', async () => {
      const a = await orb();
      const made = (await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Bye.' } })).body;
      const done = await waitForVideo(server, owner, made._id, (v) => v.status === 'completed' || v.status === 'failed');
      expect(done.status).toBe('completed');
      expect((await download(done.url)).length).toBeGreaterThan(0);
      expect((await server.api('DELETE', `/api/v1/videos/${made._id}`, { key: owner })).status).toBe(204);
      expectError(await server.api('GET', `/api/v1/videos/${made._id}`, { key: owner }), 404, 'not-found');
      expect((await fetch(done.url)).status).toBe(404);
      expect(videoFilesOf(server, a._id)).toEqual([]);
    });

    it('cancels a job that is rendering: it never completes and leaves no file', async () => {
      const a = await orb();
      const text = 'This is a longer sentence, so that the render is still going when the job is cancelled by its owner.';
      const made = (await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text } })).body;
      await waitForVideo(server, owner, made._id, (v) => v.status !== 'queued');
      expect((await server.api('DELETE', `/api/v1/videos/${made._id}`, { key: owner })).status).toBe(204);
      // The runner lets go of it (its next progress write finds the row gone) and removes whatever it stored after.
      const deadline = Date.now() + 60_000;
      while (server.server.videos.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(server.server.videos.active).toBe(0);
      expect(await server.server.services.store.videos.find(made._id)).toBeNull();
      expect(videoFilesOf(server, a._id)).toEqual([]);
    });
  });

  describe('error', () => {
    it('answers 404 for a missing video and for one deleted already', async () => {
      expectError(await server.api('DELETE', '/api/v1/videos/vid_00000000000000000000', { key: owner }), 404, 'not-found');
      expectError(await server.api('DELETE', '/api/v1/videos/not-a-video', { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'DELETE /api/v1/videos/:id', { scope: 'avatars:write', avatar: 'visible', video: true });
  });
});
