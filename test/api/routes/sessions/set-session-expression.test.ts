import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { liveServerPerSuite, twoLiveSessions } from '../../../harness/live-avatar.ts';
import { watchSessionMouth } from '../../../harness/session-mouth.ts';

// The web SDK's setExpression on a portrait session, in Chromium, is in ../../live-sessions.test.ts.
describe('POST /api/v1/sessions/:id/expression', () => {
  const { server, owner } = liveServerPerSuite('org_session_expression');
  const post = (sessionId: string, token: string | null, body: unknown) =>
    server.api('POST', `/api/v1/sessions/${sessionId}/expression`, { headers: token ? { authorization: `Bearer ${token}` } : {}, body });

  describe('happy', () => {
    it("sets the face's emotion with the agent token (204, CORS open) until the next one; neutral clears it", async () => {
      const { id, a } = await twoLiveSessions(server, owner);
      const mouth = await watchSessionMouth(server, id, a);
      const idle = await mouth.after(3);

      const set = await post(a.sessionId, a.token, { name: 'surprised', intensity: 1 });
      expect(set.status).toBe(204);
      expect(set.headers.get('access-control-allow-origin')).toBe('*');
      // About 70 dark mouth pixels surprised, 14 idle.
      expect(await mouth.after(15)).toBeGreaterThan(idle + 30);
      expect(await mouth.after(10)).toBeGreaterThan(idle + 30);
      const preflight = await server.api('OPTIONS', `/api/v1/sessions/${a.sessionId}/expression`, {
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bAuthorization\b/);

      expect((await post(a.sessionId, a.token, { name: 'neutral' })).status).toBe(204);
      expect(await mouth.after(15)).toBeLessThan(idle + 12);
      mouth.close();
    }, 120_000);
  });

  describe('error', () => {
    it('refuses the viewer token (403), bad bodies (400), wrong tokens and ended sessions (401), and the face stays as it was', async () => {
      const { id, a, b } = await twoLiveSessions(server, owner);
      const mouth = await watchSessionMouth(server, id, a);
      const idle = await mouth.after(3);

      const viewer = await post(a.sessionId, a.viewerToken, { name: 'surprised' });
      expectError(viewer, 403, 'forbidden');
      expect(viewer.body.error).toMatch(/agent token/);
      expectError(await post(a.sessionId, null, { name: 'surprised' }), 401, 'unauthorized');
      expectError(await post(a.sessionId, b.token, { name: 'surprised' }), 401, 'unauthorized');
      expectError(await post('ses_00000000000000000000', a.token, { name: 'surprised' }), 401, 'unauthorized');
      for (const body of [{ name: 'ecstatic' }, { name: 'surprised', intensity: 2 }, { name: 'surprised', strength: 1 }, {}]) {
        expectError(await post(a.sessionId, a.token, body), 400, 'validation-failed');
      }
      expect(await mouth.after(15)).toBeLessThan(idle + 12);
      mouth.close();

      expect((await server.api('DELETE', `/api/v1/sessions/${b.sessionId}`, { key: owner })).status).toBe(204);
      expectError(await post(b.sessionId, b.token, { name: 'happy' }), 401, 'unauthorized');
    }, 120_000);
  });
});
