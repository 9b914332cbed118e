import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

// Deploying a ready portrait, its container running, crashing and coming back, then undeploying, is the lifecycle
// in ../../deployments.test.ts (real rendering processes, so it runs once there).
describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/deploy and /undeploy (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'owner', 'org_deploy');

  describe('error', () => {
    it('refuses to deploy a Tier 1 avatar or a portrait that is not ready, with 409', async () => {
      const vrm = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'V', tier: 'stylized_3d' } })).body;
      expectError(await server.api('POST', `/api/v1/avatars/${vrm._id}/deploy`, { key: owner }), 409, 'conflict');
      expectError(await server.api('POST', `/api/v1/avatars/${vrm._id}/undeploy`, { key: owner }), 409, 'conflict');
      const fresh = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'P', tier: 'animated_portrait' } })).body;
      const answer = await server.api('POST', `/api/v1/avatars/${fresh._id}/deploy`, { key: owner });
      expectError(answer, 409, 'conflict');
      expect(answer.body.error).toMatch(/status is creating/);
      // Undeploying what never ran is fine and changes nothing.
      expect((await server.api('POST', `/api/v1/avatars/${fresh._id}/undeploy`, { key: owner })).body.deployment.state).toBe('stopped');
    });
  });

  describe('security', () => {
    securityTests(() => server, { method: 'POST', path: (id) => `/api/v1/avatars/${id}/deploy`, scope: 'avatars:write', avatar: 'owner' });
    securityTests(() => server, {
      method: 'POST',
      path: (id) => `/api/v1/avatars/${id}/undeploy`,
      scope: 'avatars:write',
      avatar: 'owner',
    });
  });
});
