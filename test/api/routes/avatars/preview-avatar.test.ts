import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

// A Tier 1 preview (the model's URL) is in upload-source.test.ts; a Tier 2/3 clip from a deployed container, in
// ../../deployments.test.ts; the 503's `reason`, in ../../http-hardening.test.ts.
describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/preview (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'user_456', 'org_xyz');
  const create = async (body: Record<string, unknown>) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'P', ...body } })).body;

  describe('happy', () => {
    it('answers an orb with previewUrl null, its colour and size', async () => {
      const a = await create({ tier: 'stylized_3d', renderStyle: 'orb', orbColor: '#abcdef', orbSize: 1.5 });
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ avatarId: a._id, previewUrl: null, orbColor: '#abcdef', orbSize: 1.5, tier: 'stylized_3d' });
    });
  });

  describe('error', () => {
    it('answers 409 conflict for a VRM avatar without a model yet', async () => {
      const a = await create({ tier: 'stylized_3d' });
      expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 409, 'conflict');
    });

    it("answers Tier 2/3 without a rendering container with the contract's exact 503", async () => {
      for (const tier of ['animated_portrait', 'realtime_lipsync']) {
        const a = await create({ tier });
        const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, {
          key: owner,
          raw: '',
          headers: { 'content-type': 'application/json' },
        });
        expectError(answer, 503, 'service-unavailable');
        expect(answer.body.error).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
      }
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/avatars/:id/preview', { scope: 'avatars:write', avatar: 'visible' });
  });
});
