import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { readyPortraitAvatar, waitForAvatar } from '../../../harness/live-avatar.ts';

// A deployed portrait's preview, crash and restart, and its container stopped on delete, are the lifecycle in
// ../../deployments.test.ts.
describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/deploy and /undeploy (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'owner', 'org_deploy');

  describe('happy', () => {
    it('deploys a ready portrait: 202, then running on a real rendering process; undeploy: 202, then stopped', async () => {
      const a = await readyPortraitAvatar(server, owner, 'animated_portrait');
      const deploy = await server.api('POST', `/api/v1/avatars/${a._id}/deploy`, { key: owner });
      expect(deploy.status).toBe(202);
      // The reconciler may already have run (the verb wakes it): starting, or just now running.
      expect(deploy.body).toMatchObject({ _id: a._id, deployment: { restarts: 0, lastError: null } });
      expect(['starting', 'running']).toContain(deploy.body.deployment.state);
      expect(Date.parse(deploy.body.deployment.since)).not.toBeNaN();

      const running = await waitForAvatar(server, owner, a._id, (x) => x.deployment.state === 'running', 'running');
      expect(running.renderingEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${running.renderingEndpoint}/health`)).status).toBe(200);

      const undeploy = await server.api('POST', `/api/v1/avatars/${a._id}/undeploy`, { key: owner });
      expect(undeploy.status).toBe(202);
      expect(undeploy.body.renderingEndpoint).toBeNull();
      expect(['stopping', 'stopped']).toContain(undeploy.body.deployment.state);
      await waitForAvatar(server, owner, a._id, (x) => x.deployment.state === 'stopped', 'stopped');
      await expect(fetch(`${running.renderingEndpoint}/health`)).rejects.toThrow();
    }, 90_000);
  });

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
    securityTests(() => server, 'POST /api/v1/avatars/:id/deploy', { scope: 'avatars:write', avatar: 'owner' });
    securityTests(() => server, 'POST /api/v1/avatars/:id/undeploy', { scope: 'avatars:write', avatar: 'owner' });
  });
});
