import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

// Live sessions in the list with their container's figures are in ../sessions/get-session.test.ts (the same objects).
describe.each(STORE_KINDS)('GET /api/v1/avatars/:id/sessions (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'owner', 'org_list_sessions');

  /** An avatar with `n` sessions recorded a second apart (no container holds them: they read as renderer-gone). */
  async function avatarWithSessions(n: number): Promise<{ avatarId: string; ids: string[] }> {
    const avatarId = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Listed', tier: 'realtime_lipsync' } })).body
      ._id;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `ses_${avatarId.slice(4, 14)}${String(i).padStart(10, '0')}`;
      const created = new Date(Date.now() - (n - i) * 1000);
      await server.server.services.store.liveSessions.insert({
        id,
        avatarId,
        tokenHash: 'x'.repeat(64),
        viewerTokenHash: null,
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + 1800_000).toISOString(),
        transport: i % 2 ? 'livekit' : 'whep',
        participantIdentity: i % 2 ? 'avatar-1' : null,
        endedAt: null,
        endReason: null,
        metrics: null,
      });
      ids.push(id);
    }
    return { avatarId, ids };
  }

  describe('happy', () => {
    it("lists the avatar's sessions newest first, with their count, a page at a time", async () => {
      const { avatarId, ids } = await avatarWithSessions(3);
      const all = await server.api('GET', `/api/v1/avatars/${avatarId}/sessions`, { key: owner });
      expect(all.status).toBe(200);
      expect(all.body.count).toBe(3);
      expect(all.body.sessions.map((s: { _id: string }) => s._id)).toEqual([...ids].reverse());
      expect(all.body.sessions[1]).toMatchObject({ transport: 'livekit', participantIdentity: 'avatar-1', avatarId });
      // No container holds them: asking made the API write down that they ended.
      expect(
        all.body.sessions.every((s: { state: string; endReason: string }) => s.state === 'ended' && s.endReason === 'renderer-gone'),
      ).toBe(true);
      const page = await server.api('GET', `/api/v1/avatars/${avatarId}/sessions?limit=1&offset=1`, { key: owner });
      expect(page.body).toMatchObject({ count: 3, sessions: [{ _id: ids[1] }] });
      const empty = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'None', tier: 'realtime_lipsync' } })).body
        ._id;
      expect((await server.api('GET', `/api/v1/avatars/${empty}/sessions`, { key: owner })).body).toEqual({ sessions: [], count: 0 });
    });
  });

  describe('error', () => {
    it('answers 400 for a bad page and 404 for an unknown avatar', async () => {
      const { avatarId } = await avatarWithSessions(0);
      expectError(await server.api('GET', `/api/v1/avatars/${avatarId}/sessions?limit=0`, { key: owner }), 400, 'validation-failed');
      expectError(await server.api('GET', `/api/v1/avatars/${avatarId}/sessions?limit=101`, { key: owner }), 400, 'validation-failed');
      expectError(await server.api('GET', `/api/v1/avatars/${avatarId}/sessions?state=x`, { key: owner }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/avatars/avt_0000000000000000/sessions', { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/avatars/:id/sessions', { scope: 'avatars:read', avatar: 'visible' });
  });
});
