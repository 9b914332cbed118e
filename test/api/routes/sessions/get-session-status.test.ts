import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { type LiveSession, liveServerPerSuite, twoLiveSessions } from '../../../harness/live-avatar.ts';
import { connectAgent } from '../../../renderer/speech-agent.ts';

// A browser viewer (the SDK's <avatar-view> and the /live page) that learns of the end through this route is in
// ../../live-sessions.test.ts.
describe('GET /api/v1/sessions/:id/status', () => {
  const { server, owner } = liveServerPerSuite('org_session_status');
  const status = (sessionId: string, authorization?: string) =>
    server.api('GET', `/api/v1/sessions/${sessionId}/status`, { headers: authorization ? { authorization } : {} });
  const ended = async (session: LiveSession) => {
    expect((await server.api('DELETE', `/api/v1/sessions/${session.sessionId}`, { key: owner })).status).toBe(204);
  };
  // The error and security tests share one avatar's two sessions: `a` stays active, `b` is ended.
  let shared: Promise<{ a: LiveSession; b: LiveSession }> | undefined;
  const sessions = () =>
    (shared ??= twoLiveSessions(server, owner).then(async (made) => {
      await ended(made.b);
      return made;
    }));

  describe('happy', () => {
    it("answers either token with the session's state, and after it was DELETEd, how and when it ended", async () => {
      const { a } = await twoLiveSessions(server, owner);
      for (const token of [a.viewerToken, a.token]) {
        const active = await status(a.sessionId, `Bearer ${token}`);
        expect(active.status).toBe(200);
        expect(active.body).toEqual({ sessionId: a.sessionId, state: 'active', endReason: null, endedAt: null });
        // Open to viewers' pages on any origin, as WHEP is, and never cached: it is asked again while a viewer waits.
        expect(active.headers.get('access-control-allow-origin')).toBe('*');
        expect(active.headers.get('cache-control')).toBe('no-store');
      }
      const preflight = await server.api('OPTIONS', `/api/v1/sessions/${a.sessionId}/status`, {
        headers: { origin: 'https://viewer.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toMatch(/\bGET\b/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bAuthorization\b/);

      const before = Date.now();
      await ended(a);
      // The tokens open nothing more (WHEP refuses them), but still say why the session ended.
      expect(
        (await server.api('POST', `/api/v1/sessions/${a.sessionId}/whep`, { headers: { authorization: `Bearer ${a.viewerToken}` } }))
          .status,
      ).toBe(401);
      for (const token of [a.viewerToken, a.token]) {
        const after = await status(a.sessionId, `Bearer ${token}`);
        expect(after.status).toBe(200);
        expect(after.body).toEqual({ sessionId: a.sessionId, state: 'ended', endReason: 'deleted', endedAt: expect.any(String) });
        expect(Date.parse(after.body.endedAt)).toBeGreaterThanOrEqual(before - 1000);
      }
    }, 120_000);

    it('learns an end the API had not heard of from the container (the agent ended it), and passes any reason through', async () => {
      const { a, b } = await twoLiveSessions(server, owner);
      const agent = await connectAgent(server.url, `/api/v1/sessions/${a.sessionId}/speech`, a.token);
      agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
      await agent.next('ready');
      agent.json({ type: 'end' });
      expect((await agent.closed).code).toBe(1000);
      expect((await status(a.sessionId, `Bearer ${a.viewerToken}`)).body).toMatchObject({ state: 'ended', endReason: 'end' });
      // What the owner's GET says, from the record the status brought up to date.
      expect((await server.api('GET', `/api/v1/sessions/${a.sessionId}`, { key: owner })).body).toMatchObject({ endReason: 'end' });

      // A reason written down by another part of the API (a crashed container: renderer-failed) reaches viewers as is.
      const endedAt = new Date().toISOString();
      await server.server.services.store.liveSessions.update(b.sessionId, { endedAt, endReason: 'renderer-failed', metrics: null });
      expect((await status(b.sessionId, `Bearer ${b.viewerToken}`)).body).toEqual({
        sessionId: b.sessionId,
        state: 'ended',
        endReason: 'renderer-failed',
        endedAt,
      });
    }, 120_000);
  });

  describe('error', () => {
    it('refuses a missing, malformed, wrong or over-long token, and a token of another session, with 401', async () => {
      const { a, b } = await sessions();
      const refusals = [
        undefined,
        `Basic ${Buffer.from(`x:${a.viewerToken}`).toString('base64')}`,
        a.viewerToken,
        `Bearer ${a.viewerToken}x`,
        'Bearer lsv_wrong',
        `Bearer ${b.viewerToken}`,
        `Bearer ${b.token}`,
        `Bearer lsv_${'x'.repeat(300)}`,
      ];
      for (const authorization of refusals) {
        const refused = await status(a.sessionId, authorization);
        expectError(refused, 401, 'unauthorized');
        expect(refused.headers.get('access-control-allow-origin')).toBe('*');
      }
      // An API key is not a session token: the owner's key opens GET /sessions/:id, not this.
      expectError(await server.api('GET', `/api/v1/sessions/${a.sessionId}/status`, { key: owner }), 401, 'unauthorized');
    }, 120_000);
  });

  describe('security', () => {
    it("tells a session's existence to no one without its token: an unknown or malformed id is the same 401", async () => {
      const { a } = await sessions();
      const wrong = await status(a.sessionId, 'Bearer lsv_wrong');
      for (const id of ['ses_00000000000000000000', 'avt_0000000000000000', encodeURIComponent("ses_x' or 1=1 --")]) {
        const unknown = await status(id, `Bearer ${a.viewerToken}`);
        expectError(unknown, 401, 'unauthorized');
        expect(unknown.body).toEqual(wrong.body);
      }
    }, 120_000);

    it('gives a viewer only the state, never metrics, tokens, the avatar or the container', async () => {
      const { a, b } = await sessions();
      for (const [session, state] of [
        [a, 'active'],
        [b, 'ended'],
      ] as const) {
        const answer = await status(session.sessionId, `Bearer ${session.viewerToken}`);
        expect(answer.body.state).toBe(state);
        expect(Object.keys(answer.body).sort()).toEqual(['endReason', 'endedAt', 'sessionId', 'state']);
        const owners = (await server.api('GET', `/api/v1/sessions/${session.sessionId}`, { key: owner })).body;
        expect(JSON.stringify(answer.body)).not.toContain(owners.avatarId);
      }
    }, 120_000);
  });
});
