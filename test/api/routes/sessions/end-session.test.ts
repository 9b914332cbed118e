import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { closedSocket } from '../../../harness/socket-close.ts';
import { liveServerPerSuite, readyLiveAvatar } from '../../../harness/live-avatar.ts';
import { securityTests } from '../../../harness/security.ts';

// Ending a LiveKit session (the avatar leaves the room) is in ../../livekit-sessions.test.ts.
describe('DELETE /api/v1/sessions/:id', () => {
  const { server, owner } = liveServerPerSuite('org_end_session');

  describe('happy', () => {
    it('ends the session in its container at once; its tokens open nothing more; ending it again changes nothing', async () => {
      const avatarId = await readyLiveAvatar(server, owner, 'realtime_lipsync');
      const started = (await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key: owner })).body;
      expect(await closedSocket(`${started.url}?token=${started.token}`, 500)).toBe('open');

      const ended = await server.api('DELETE', `/api/v1/sessions/${started.sessionId}`, { key: owner });
      expect(ended.status).toBe(204);
      expect(await closedSocket(`${started.url}?token=${started.token}`, 500)).toMatchObject({ code: 4001 });
      const offer = await fetch(started.whepUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${started.viewerToken}`, 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      expect(offer.status).toBe(401);
      const seen = (await server.api('GET', `/api/v1/sessions/${started.sessionId}`, { key: owner })).body;
      expect(seen).toMatchObject({ state: 'ended', endReason: 'deleted' });
      expect((await server.api('DELETE', `/api/v1/sessions/${started.sessionId}`, { key: owner })).status).toBe(204);
      expect((await server.api('GET', `/api/v1/sessions/${started.sessionId}`, { key: owner })).body.endedAt).toBe(seen.endedAt);
      // Its place on the avatar is free again: SESSIONS_PER_AVATAR counts only the container's live sessions.
      expect((await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key: owner })).status).toBe(201);
      expect((await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key: owner })).status).toBe(201);
    }, 120_000);
  });

  describe('error', () => {
    it('answers 404 for an unknown id and for an id of the wrong form', async () => {
      expectError(await server.api('DELETE', '/api/v1/sessions/ses_00000000000000000000', { key: owner }), 404, 'not-found');
      expectError(await server.api('DELETE', '/api/v1/sessions/nope', { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'DELETE /api/v1/sessions/:id', { scope: 'avatars:write', avatar: 'visible', session: true });
  });
});
