import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

describe.each(STORE_KINDS)('GET /api/v1/avatars/:id/videos (%s)', (kind) => {
  const server = serverPerSuite(kind, { RECONCILE_INTERVAL_MS: '60000' });
  const owner = keyPerSuite(server, 'u_list', 'org_list');

  describe('happy', () => {
    it("lists the avatar's videos newest first, with the count, a page at a time", async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) {
        ids.push((await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text } })).body._id);
      }
      const all = await server.api('GET', `/api/v1/avatars/${a._id}/videos`, { key: owner });
      expect(all.status).toBe(200);
      expect(all.body.count).toBe(3);
      expect(all.body.videos.map((v: { _id: string }) => v._id)).toEqual([...ids].reverse());
      const page = await server.api('GET', `/api/v1/avatars/${a._id}/videos?limit=1&offset=1`, { key: owner });
      expect(page.body).toMatchObject({ count: 3, videos: [{ _id: ids[1] }] });
      const other = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Other', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      expect((await server.api('GET', `/api/v1/avatars/${other._id}/videos`, { key: owner })).body).toEqual({
        videos: [],
        count: 0,
        nextCursor: null,
      });
    });
  });

  describe('cursor', () => {
    const orb = async () =>
      (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })).body
        ._id as string;
    let made = 0;
    /** A finished (failed) job written straight to the store: listed like any other, and no render starts. */
    const video = async (avatarId: string, text: string) => {
      const id = `vid_walk${String(++made).padStart(16, '0')}`;
      const now = new Date().toISOString();
      await server.server.services.store.videos.insert({
        id,
        avatarId,
        userId: 'u_list',
        organizationId: 'org_list',
        status: 'failed',
        progress: 0,
        source: 'text',
        speechKey: `avatars/${avatarId}/videos/${id}/speech.pcm`,
        expression: null,
        background: null,
        transparent: false,
        seed: 1,
        durationSeconds: 1,
        width: 512,
        height: 512,
        frameRate: 30,
        videoKey: null,
        transparentKey: null,
        error: `not rendered (${text})`,
        attempts: 1,
        createdAt: now,
        updatedAt: now,
        completedAt: now,
      });
      return id;
    };
    type Page = { videos: { _id: string }[]; count: number; nextCursor: string | null };
    const walk = async (avatarId: string, during?: (before: Page[]) => Promise<unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/avatars/${avatarId}/videos?limit=3${cursor === null ? '' : `&after=${cursor}`}`;
        const [answer] = await Promise.all([server.api('GET', url, { key: owner }), during?.(pages)]);
        expect(answer.status).toBe(200);
        const page = answer.body as Page;
        pages.push(page);
        cursor = page.nextCursor;
        expect(pages.length).toBeLessThan(50);
      } while (cursor !== null);
      return pages;
    };

    it('walks every video once, newest first, with the count on every page and null after the last', async () => {
      const a = await orb();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await video(a, `line ${i}`));
      const pages = await walk(a);
      expect(pages.flatMap((p) => p.videos.map((v) => v._id))).toEqual([...ids].reverse());
      expect(pages.map((p) => p.count)).toEqual([7, 7, 7]);
    });

    it('yields every surviving video exactly once while others are created and deleted during the walk', async () => {
      const a = await orb();
      const initial: string[] = [];
      for (let i = 0; i < 10; i++) initial.push(await video(a, `line ${i}`));
      const newestFirst = [...initial].reverse();
      const deleted = new Set<string>();
      const remove = async (id: string) => {
        deleted.add(id);
        expect((await server.api('DELETE', `/api/v1/videos/${id}`, { key: owner })).status).toBe(204);
      };
      const pages = await walk(a, async (before) => {
        const seen = before.flatMap((p) => p.videos.map((v) => v._id));
        const alreadySeen = seen.filter((id) => !deleted.has(id));
        const notYetSeen = newestFirst.filter((id) => !deleted.has(id) && !seen.includes(id));
        await Promise.all([
          video(a, `new ${before.length}`),
          alreadySeen.length > 0 ? remove(alreadySeen[0]!) : undefined,
          notYetSeen.length > 3 ? remove(notYetSeen[notYetSeen.length - 1]!) : undefined,
        ]);
      });
      const seen = pages.flatMap((p) => p.videos.map((v) => v._id));
      expect(new Set(seen).size).toBe(seen.length);
      const surviving = newestFirst.filter((id) => !deleted.has(id));
      expect(surviving.length).toBeGreaterThan(3);
      for (const id of surviving) expect(seen).toContain(id);
      const seenInitial = seen.filter((id) => initial.includes(id));
      expect(seenInitial).toEqual(newestFirst.filter((id) => seenInitial.includes(id)));
    });

    it('refuses a bad cursor, an offset past 1000 and a cursor with an offset', async () => {
      const a = await orb();
      await video(a, 'one');
      await video(a, 'two');
      const cursor = (await server.api('GET', `/api/v1/avatars/${a}/videos?limit=1`, { key: owner })).body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      const bad = await server.api('GET', `/api/v1/avatars/${a}/videos?after=nope`, { key: owner });
      expectError(bad, 400, 'validation-failed');
      expect(bad.body.details[0].path).toBe('after');
      const deep = await server.api('GET', `/api/v1/avatars/${a}/videos?offset=1001`, { key: owner });
      expectError(deep, 400, 'validation-failed');
      expect(deep.body.error).toContain('use "after" with the nextCursor of the previous page');
      expectError(
        await server.api('GET', `/api/v1/avatars/${a}/videos?after=${cursor}&offset=0`, { key: owner }),
        400,
        'validation-failed',
      );
    });
  });

  describe('error', () => {
    it('answers 400 for a bad page and 404 for a missing avatar', async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      expectError(await server.api('GET', `/api/v1/avatars/${a._id}/videos?limit=0`, { key: owner }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/avatars/avt_0000000000000000/videos', { key: owner }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/avatars/:id/videos', { scope: 'avatars:read', avatar: 'visible' });
  });
});
