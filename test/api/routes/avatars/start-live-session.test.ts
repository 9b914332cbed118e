import { describe, expect, it } from 'vitest';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { LIVE_SESSION_ENV, readyLiveAvatar, twoLiveSessions } from '../../../harness/live-avatar.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

// Starting a session on an on-demand avatar (its tokens, URLs and the deployment it starts) is the first flow of
// ../../live-sessions.test.ts, where the agent then speaks and a browser watches.
describe('POST /api/v1/avatars/:id/sessions', () => {
  const server = serverPerSuite('sqlite', LIVE_SESSION_ENV);
  const owner = keyPerSuite(server, 'owner', 'org_live');
  const readyAvatar = (tier: string, onDemand?: Record<string, unknown>) => readyLiveAvatar(server, owner, tier, onDemand);

  describe('error', () => {
    it('refuses a session past SESSIONS_PER_AVATAR with 409', async () => {
      const { id } = await twoLiveSessions(server, owner);
      // A third session is one more than SESSIONS_PER_AVATAR=2 allows.
      const third = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner });
      expectError(third, 409, 'conflict');
      expect(third.body.error).toMatch(/already has 2 live sessions/);
    }, 120_000);

    it('answers 503 for an always_on avatar that is not deployed and 409 for other tiers', async () => {
      const id = await readyAvatar('realtime_lipsync', { schedulingMode: 'always_on' });
      const answer = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner });
      expectError(answer, 503, 'service-unavailable');
      expect(answer.body.error).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
      const portrait = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'T2', tier: 'animated_portrait' } })).body;
      expectError(await server.api('POST', `/api/v1/avatars/${portrait._id}/sessions`, { key: owner }), 409, 'conflict');
      const vrm = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'T1', tier: 'stylized_3d' } })).body;
      expectError(await server.api('POST', `/api/v1/avatars/${vrm._id}/sessions`, { key: owner }), 409, 'conflict');
    }, 120_000);
  });

  describe('security', () => {
    securityTests(() => server, {
      method: 'POST',
      path: (id) => `/api/v1/avatars/${id}/sessions`,
      scope: 'avatars:write',
      avatar: 'visible',
    });
  });
});
