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
      expect((await server.api('GET', `/api/v1/avatars/${empty}/sessions`, { key: owner })).body).toEqual({
        sessions: [],
        count: 0,
        nextCursor: null,
      });
    });
  });

  describe('cursor', () => {
    /** A session of the avatar with the given times (ended: no container is asked about it). */
    const record = (avatarId: string, id: string, createdAt: string, expiresAt: string) =>
      server.server.services.store.liveSessions.insert({
        id,
        avatarId,
        tokenHash: 'x'.repeat(64),
        viewerTokenHash: null,
        createdAt,
        expiresAt,
        transport: 'whep',
        participantIdentity: null,
        endedAt: createdAt,
        endReason: 'end',
        metrics: null,
      });
    const newAvatar = async () =>
      (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Walked', tier: 'realtime_lipsync' } })).body._id as string;
    const sessionId = (avatarId: string, i: number) => `ses_${avatarId.slice(4, 14)}${String(i).padStart(10, '0')}`;
    type Page = { sessions: { _id: string }[]; count: number; nextCursor: string | null };
    const walk = async (avatarId: string, during?: (before: Page[]) => Promise<unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/avatars/${avatarId}/sessions?limit=2${cursor === null ? '' : `&after=${cursor}`}`;
        const [answer] = await Promise.all([server.api('GET', url, { key: owner }), during?.(pages)]);
        expect(answer.status).toBe(200);
        const page = answer.body as Page;
        pages.push(page);
        cursor = page.nextCursor;
        expect(pages.length).toBeLessThan(50);
      } while (cursor !== null);
      return pages;
    };

    it('walks every session once, newest first, ties by id, with the count on every page', async () => {
      const avatarId = await newAvatar();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        // Three sessions a second: the cursor must tell sessions of one instant apart.
        const at = new Date(Date.UTC(2024, 0, 1, 0, 0, Math.floor(i / 3))).toISOString();
        ids.push(sessionId(avatarId, i));
        await record(avatarId, ids[i]!, at, '2999-01-01T00:00:00.000Z');
      }
      const pages = await walk(avatarId);
      expect(pages.flatMap((p) => p.sessions.map((x) => x._id))).toEqual([...ids].reverse());
      expect(pages.map((p) => p.count)).toEqual([7, 7, 7, 7]);
      expect(pages[3]!.nextCursor).toBeNull();
    });

    it('yields every surviving session exactly once while others start and are swept during the walk', async () => {
      const avatarId = await newAvatar();
      const n = 12;
      const initial = Array.from({ length: n }, (_, i) => sessionId(avatarId, i));
      // The sweep removes them in this order: the newest (seen early), then the oldest (not yet seen), and so on.
      const sweepOrder = Array.from({ length: n }, (_, k) => (k % 2 === 0 ? n - 1 - k / 2 : (k - 1) / 2));
      const expiry = (k: number) => new Date(Date.UTC(2019, 0, 1, 0, 0, k)).toISOString();
      for (let i = 0; i < n; i++) {
        await record(avatarId, initial[i]!, new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString(), expiry(sweepOrder.indexOf(i)));
      }
      let swept = 0;
      const pages = await walk(avatarId, async (before) => {
        swept += 2;
        await Promise.all([
          record(
            avatarId,
            sessionId(avatarId, 100 + before.length),
            new Date(Date.UTC(2021, 0, 1, 0, 0, before.length)).toISOString(),
            '2999-01-01T00:00:00.000Z',
          ),
          server.server.services.store.liveSessions.deleteExpired(expiry(swept)),
        ]);
      });
      const deleted = new Set(sweepOrder.slice(0, swept).map((i) => initial[i]!));
      const seen = pages.flatMap((p) => p.sessions.map((x) => x._id));
      expect(new Set(seen).size).toBe(seen.length);
      const newestFirst = [...initial].reverse();
      const surviving = newestFirst.filter((id) => !deleted.has(id));
      expect(surviving.length).toBeGreaterThanOrEqual(2);
      for (const id of surviving) expect(seen).toContain(id);
      const seenInitial = seen.filter((id) => initial.includes(id));
      expect(seenInitial).toEqual(newestFirst.filter((id) => seenInitial.includes(id)));
    });

    it('refuses a bad cursor, an offset past 1000 and a cursor with an offset', async () => {
      const avatarId = await newAvatar();
      for (let i = 0; i < 3; i++)
        await record(avatarId, sessionId(avatarId, i), new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(), '2999-01-01T00:00:00.000Z');
      const url = `/api/v1/avatars/${avatarId}/sessions`;
      const cursor = (await server.api('GET', `${url}?limit=1`, { key: owner })).body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      const seqCursor = Buffer.from('[5]').toString('base64url');
      for (const bad of ['nope', seqCursor]) {
        const answer = await server.api('GET', `${url}?after=${bad}`, { key: owner });
        expectError(answer, 400, 'validation-failed');
        expect(answer.body.details[0].path).toBe('after');
      }
      const deep = await server.api('GET', `${url}?offset=1001`, { key: owner });
      expectError(deep, 400, 'validation-failed');
      expect(deep.body.error).toContain('use "after" with the nextCursor of the previous page');
      expectError(await server.api('GET', `${url}?after=${cursor}&offset=0`, { key: owner }), 400, 'validation-failed');
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
