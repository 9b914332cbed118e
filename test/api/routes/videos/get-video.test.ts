import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

describe.each(STORE_KINDS)('GET /api/v1/videos/:id (%s)', (kind) => {
  // A quiet loop: the job stays queued as created, so its state is the one the test reads.
  const server = serverPerSuite(kind, { RECONCILE_INTERVAL_MS: '60000', VIDEOS_CONCURRENT: '1' });
  const owner = keyPerSuite(server, 'u_get', 'org_get');

  describe('happy', () => {
    it('answers the job as POST made it, to the owner and to a colleague of the organization', async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      const made = (
        await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hi', background: '#AABBCC' } })
      ).body;
      const got = await server.api('GET', `/api/v1/videos/${made._id}`, { key: owner });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        _id: made._id,
        avatarId: a._id,
        source: 'text',
        background: { color: '#aabbcc' },
        createdAt: made.createdAt,
      });
      expect(['queued', 'rendering', 'completed']).toContain(got.body.status);
      const colleague = await server.makeKey('u_colleague', 'org_get', ['avatars:read']);
      expect((await server.api('GET', `/api/v1/videos/${made._id}`, { key: colleague })).status).toBe(200);
    });
  });

  describe('error', () => {
    it('answers 404 for an id that is not a video id, and for one that does not exist', async () => {
      expectError(await server.api('GET', '/api/v1/videos/nope', { key: owner }), 404, 'not-found');
      expectError(await server.api('GET', '/api/v1/videos/vid_00000000000000000000', { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/videos/:id', { scope: 'avatars:read', avatar: 'visible', video: true });
  });
});
