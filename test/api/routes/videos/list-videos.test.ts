import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

describe.each(STORE_KINDS)('GET /api/v1/avatars/:id/videos (%s)', (kind) => {
  const server = serverPerSuite(kind, { RECONCILE_INTERVAL_MS: '60000' });
  const owner = keyPerSuite(server, 'u_list', 'org_list');

  describe('happy', () => {
    it("lists the avatar's videos newest first, with the count, a page at a time", async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) {
        ids.push((await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text } })).body._id);
      }
      const all = await server.api('GET', `/api/v1/avatars/${a._id}/videos`, { key: owner });
      expect(all.status).toBe(200);
      expect(all.body.count).toBe(3);
      expect(all.body.videos.map((v: { _id: string }) => v._id)).toEqual([...ids].reverse());
      const page = await server.api('GET', `/api/v1/avatars/${a._id}/videos?limit=1&offset=1`, { key: owner });
      expect(page.body).toMatchObject({ count: 3, videos: [{ _id: ids[1] }] });
      const other = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Other', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      expect((await server.api('GET', `/api/v1/avatars/${other._id}/videos`, { key: owner })).body).toEqual({ videos: [], count: 0 });
    });
  });

  describe('error', () => {
    it('answers 400 for a bad page and 404 for a missing avatar', async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      expectError(await server.api('GET', `/api/v1/avatars/${a._id}/videos?limit=0`, { key: owner }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/avatars/avt_0000000000000000/videos', { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/avatars/:id/videos', { scope: 'avatars:read', avatar: 'visible' });
  });
});
