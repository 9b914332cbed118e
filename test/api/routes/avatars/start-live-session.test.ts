import { describe, expect, it } from 'vitest';
import { liveServerPerSuite, readyLiveAvatar, twoLiveSessions } from '../../../harness/live-avatar.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { hashSecret } from '../../../../src/domain/keys/issue-api-key.ts';
import { watchSessionMouth } from '../../../harness/session-mouth.ts';

// The agent speaking in a started session while a browser watches is the first flow of ../../live-sessions.test.ts.
describe('POST /api/v1/avatars/:id/sessions', () => {
  const { server, owner } = liveServerPerSuite('org_live');
  const readyAvatar = (tier: string, onDemand?: Record<string, unknown>) => readyLiveAvatar(server, owner, tier, onDemand);

  describe('happy', () => {
    it('starts an on-demand avatar and answers the session: its tokens (only their hashes kept), URLs and expiry', async () => {
      const id = await readyAvatar('realtime_lipsync');
      const answer = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner });
      expect(answer.status).toBe(201);
      const session = answer.body;
      expect(session.sessionId).toMatch(/^ses_/);
      expect(session.token).toMatch(/^lst_[0-9A-Za-z]{40}$/);
      expect(session.viewerToken).toMatch(/^lsv_[0-9A-Za-z]{40}$/);
      // The store keeps only the two tokens' hashes.
      const stored = await server.server.services.store.liveSessions.find(session.sessionId);
      expect(stored).toMatchObject({ tokenHash: hashSecret(session.token), viewerTokenHash: hashSecret(session.viewerToken) });
      expect(JSON.stringify(stored)).not.toContain(session.token.slice(4));
      expect(JSON.stringify(stored)).not.toContain(session.viewerToken.slice(4));
      expect(session.url).toBe(`${server.url.replace('http', 'ws')}/api/v1/sessions/${session.sessionId}/speech`);
      expect(session.whepUrl).toBe(`${server.url}/api/v1/sessions/${session.sessionId}/whep`);
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
      expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body.deployment.state).toBe('running');
    }, 120_000);

    it('starts the face with the expression asked for and holds it until the agent sets another', async () => {
      const id = await readyAvatar('realtime_lipsync');
      const body = { expression: { name: 'surprised', intensity: 1 } };
      const session = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner, body })).body;
      const mouth = await watchSessionMouth(server, id, session);
      // The first frame the agent gets is surprised already (about 70 dark mouth pixels; 14 idle).
      expect(await mouth.after(1)).toBeGreaterThan(45);
      expect(await mouth.after(15)).toBeGreaterThan(45);
      mouth.close();
      // Held across the agent's reconnection, until it sets another.
      const agent = await watchSessionMouth(server, id, session);
      expect(await agent.after(5)).toBeGreaterThan(45);
      agent.send({ type: 'expression', name: 'neutral' });
      expect(await agent.after(15)).toBeLessThan(30);
      agent.close();
      expect((await server.api('DELETE', `/api/v1/sessions/${session.sessionId}`, { key: owner })).status).toBe(204);
    }, 120_000);
  });

  describe('error', () => {
    it('refuses a bad starting expression with 400 validation-failed before anything starts', async () => {
      const id = await readyAvatar('realtime_lipsync');
      for (const [expression, path] of [
        [{ name: 'bored' }, 'expression.name'],
        [{ name: 'happy', intensity: 1.5 }, 'expression.intensity'],
        [{ name: 'happy', strength: 1 }, 'expression.strength'],
        [{ intensity: 1 }, 'expression.name'],
        ['happy', 'expression'],
      ] as const) {
        const answer = await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner, body: { expression } });
        expectError(answer, 400, 'validation-failed');
        expect(JSON.stringify(answer.body.details)).toContain(path.split('.').at(-1));
      }
      expect((await server.api('GET', `/api/v1/avatars/${id}/sessions`, { key: owner })).body.sessions).toEqual([]);
    }, 120_000);

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
    securityTests(() => server, 'POST /api/v1/avatars/:id/sessions', { scope: 'avatars:write', avatar: 'visible' });
  });
});
