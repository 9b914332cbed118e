import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { liveServerPerSuite, readyLiveAvatar } from '../../../harness/live-avatar.ts';
import { securityTests } from '../../../harness/security.ts';

// A LiveKit session's state as its room changes (agent leaves, room closes) is in ../../livekit-sessions.test.ts.
describe('GET /api/v1/sessions/:id', () => {
  const { server, owner } = liveServerPerSuite('org_get_session');

  describe('happy', () => {
    it("gives a live session's transport, state and the container's live metrics, then how it ended", async () => {
      const avatarId = await readyLiveAvatar(server, owner, 'realtime_lipsync');
      const started = await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key: owner });
      expect(started.status).toBe(201);
      const active = await server.api('GET', `/api/v1/sessions/${started.body.sessionId}`, { key: owner });
      expect(active.status).toBe(200);
      expect(active.body).toMatchObject({
        _id: started.body.sessionId,
        avatarId,
        transport: 'whep',
        state: 'active',
        expiresAt: started.body.expiresAt,
        endedAt: null,
        endReason: null,
        participantIdentity: null,
        metrics: { viewers: 0, framesSkipped: expect.any(Number), speechSeconds: 0 },
      });
      // A read-only key sees it too.
      const reader = await server.makeKey('reader', 'org_get_session', ['avatars:read']);
      expect((await server.api('GET', `/api/v1/sessions/${started.body.sessionId}`, { key: reader })).body.state).toBe('active');

      expect((await server.api('DELETE', `/api/v1/sessions/${started.body.sessionId}`, { key: owner })).status).toBe(204);
      const ended = await server.api('GET', `/api/v1/sessions/${started.body.sessionId}`, { key: owner });
      // It keeps the last figures its container gave.
      expect(ended.body).toMatchObject({ state: 'ended', endReason: 'deleted', endedAt: expect.any(String), metrics: { viewers: 0 } });
    }, 120_000);

    it('says renderer-gone for a session whose container no longer holds it', async () => {
      const avatarId = await readyLiveAvatar(server, owner, 'realtime_lipsync');
      const started = await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key: owner });
      expect((await server.api('POST', `/api/v1/avatars/${avatarId}/undeploy`, { key: owner })).status).toBeLessThan(300);
      const gone = await server.api('GET', `/api/v1/sessions/${started.body.sessionId}`, { key: owner });
      expect(gone.body).toMatchObject({ state: 'ended', endReason: 'renderer-gone' });
    }, 120_000);
  });

  describe('error', () => {
    it('answers 404 for an unknown id and for an id of the wrong form', async () => {
      expectError(await server.api('GET', '/api/v1/sessions/ses_00000000000000000000', { key: owner }), 404, 'not-found');
      expectError(await server.api('GET', '/api/v1/sessions/avt_0000000000000000', { key: owner }), 404, 'not-found');
      expectError(await server.api('GET', `/api/v1/sessions/${encodeURIComponent("ses_x' or 1=1 --")}`, { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/sessions/:id', { scope: 'avatars:read', avatar: 'visible', session: true });
  });
});
