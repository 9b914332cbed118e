import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { startTestServer, type TestKey } from '../../../harness/test-server.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

describe.each(STORE_KINDS)('GET /api/v1/avatars (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const alice = keyPerSuite(server, 'alice', 'org_a');
  const bob = keyPerSuite(server, 'bob', 'org_a');
  const carol = keyPerSuite(server, 'carol', 'org_b');
  const dave = keyPerSuite(server, 'dave', null);
  const create = async (key: TestKey, name: string) =>
    (await server.api('POST', '/api/v1/avatars', { key, body: { name, tier: 'stylized_3d' } })).body;

  describe('happy', () => {
    it("lists the contract's summary fields, newest first, with the total count", async () => {
      const s = await startTestServer(kind);
      try {
        const k = await s.makeKey('u', 'o');
        const ids: string[] = [];
        for (let i = 0; i < 5; i++)
          ids.push((await s.api('POST', '/api/v1/avatars', { key: k, body: { name: `n${i}`, tier: 'stylized_3d' } })).body._id);
        const answer = await s.api('GET', '/api/v1/avatars', { key: k });
        expect(answer.status).toBe(200);
        expect(answer.body.count).toBe(5);
        expect(answer.body.avatars.map((a: { _id: string }) => a._id)).toEqual([...ids].reverse());
        expect(Object.keys(answer.body.avatars[0]).sort()).toEqual([
          '_id',
          'createdAt',
          'name',
          'organizationId',
          'status',
          'tier',
          'userId',
        ]);
        const page = await s.api('GET', '/api/v1/avatars?limit=2&offset=1', { key: k });
        expect(page.body.avatars.map((a: { _id: string }) => a._id)).toEqual([ids[3], ids[2]]);
        expect(page.body.count).toBe(5);
        const named = await s.api('GET', '/api/v1/avatars?name=n2', { key: k });
        expect(named.body).toMatchObject({ count: 1, avatars: [{ _id: ids[2] }] });
        expect((await s.api('GET', '/api/v1/avatars?name=n', { key: k })).body.count).toBe(0);
      } finally {
        await s.close();
      }
    });

    it('applies the access query: same organization or own avatars, never others', async () => {
      const a = await create(alice, 'alice-1');
      const b = await create(bob, 'bob-1');
      const c = await create(carol, 'carol-1');
      const d = await create(dave, 'dave-1');
      const ids = async (key: TestKey) =>
        ((await server.api('GET', '/api/v1/avatars?limit=200', { key })).body.avatars as { _id: string }[]).map((x) => x._id);
      const aliceSees = await ids(alice);
      expect(aliceSees).toEqual(expect.arrayContaining([a._id, b._id]));
      expect(aliceSees).not.toContain(c._id);
      expect(aliceSees).not.toContain(d._id);
      expect(await ids(carol)).toEqual([c._id]);
      expect(await ids(dave)).toEqual([d._id]);
      // Bob (same organization) can read Alice's avatar.
      expect((await server.api('GET', `/api/v1/avatars/${a._id}`, { key: bob })).status).toBe(200);
    });

    it('lists nothing of the same user id in another organization or in none', async () => {
      const s = await startTestServer(kind);
      try {
        const inA = await s.makeKey('eve', 'org_a');
        const inB = await s.makeKey('eve', 'org_b');
        const orgless = await s.makeKey('eve', null);
        const made = new Map<TestKey, string>();
        for (const [key, name] of [
          [inA, 'a'],
          [inB, 'b'],
          [orgless, 'none'],
        ] as const) {
          made.set(key, (await s.api('POST', '/api/v1/avatars', { key, body: { name, tier: 'stylized_3d' } })).body._id);
        }
        await s.api('POST', '/api/v1/avatars', { key: await s.makeKey('frank', 'org_a'), body: { name: 'c', tier: 'stylized_3d' } });
        const names = async (key: TestKey) => {
          const answer = await s.api('GET', '/api/v1/avatars', { key });
          expect(answer.body.count).toBe(answer.body.avatars.length);
          return answer.body.avatars.map((a: { name: string }) => a.name).sort();
        };
        expect(await names(inA)).toEqual(['a', 'c']);
        expect(await names(inB)).toEqual(['b']);
        expect(await names(orgless)).toEqual(['none']);
        for (const [key, id] of made) {
          for (const other of made.keys()) {
            if (other !== key) expectError(await s.api('GET', `/api/v1/avatars/${id}`, { key: other }), 404, 'not-found');
          }
        }
      } finally {
        await s.close();
      }
    });
  });

  describe('cursor', () => {
    let orgs = 0;
    /** A key of an organization of its own, so the walk sees only what the test made. */
    const freshKey = () => server.makeKey('walker', `org_walk_${++orgs}`);
    const make = async (key: TestKey, name: string) => (await create(key, name))._id as string;
    type Page = { avatars: { _id: string }[]; count: number; nextCursor: string | null };
    /** Every page from the first to the one whose nextCursor is null; `during` runs while each page is read. */
    const walk = async (key: TestKey, query: string, during?: (before: Page[]) => Promise<unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/avatars?${query}${cursor === null ? '' : `&after=${cursor}`}`;
        const [answer] = await Promise.all([server.api('GET', url, { key }), during?.(pages)]);
        expect(answer.status).toBe(200);
        const page = answer.body as Page;
        pages.push(page);
        cursor = page.nextCursor;
        expect(pages.length).toBeLessThan(100);
      } while (cursor !== null);
      return pages;
    };

    it('walks every avatar once, newest first, with the exact count on every page and null after the last', async () => {
      const key = await freshKey();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await make(key, `a${i}`));
      const pages = await walk(key, 'limit=3');
      expect(pages.map((p) => p.avatars.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((p) => p.avatars.map((a) => a._id))).toEqual([...ids].reverse());
      expect(pages.map((p) => p.count)).toEqual([7, 7, 7]);
      expect(pages[2]!.nextCursor).toBeNull();
      // A page that ends exactly at the last avatar says so: no empty page follows.
      expect((await walk(key, 'limit=7')).map((p) => p.avatars.length)).toEqual([7]);
      // An offset page hands out the cursor too, so a client can switch.
      const byOffset = (await server.api('GET', '/api/v1/avatars?limit=2&offset=1', { key })).body;
      expect(byOffset.avatars.map((a: { _id: string }) => a._id)).toEqual([ids[5], ids[4]]);
      const next = (await server.api('GET', `/api/v1/avatars?limit=2&after=${byOffset.nextCursor}`, { key })).body;
      expect(next.avatars.map((a: { _id: string }) => a._id)).toEqual([ids[3], ids[2]]);
    });

    it('yields every surviving avatar exactly once while others are created and deleted during the walk', async () => {
      const key = await freshKey();
      const initial: string[] = [];
      for (let i = 0; i < 24; i++) initial.push(await make(key, `w${i}`));
      const newestFirst = [...initial].reverse();
      const deleted = new Set<string>();
      const remove = async (id: string) => {
        deleted.add(id);
        expect((await server.api('DELETE', `/api/v1/avatars/${id}`, { key })).status).toBe(200);
      };
      // While each page is read: two new avatars, one already seen deleted, one not yet seen deleted (from the far end).
      const pages = await walk(key, 'limit=4', async (before) => {
        const seen = before.flatMap((p) => p.avatars.map((a) => a._id));
        const notYetSeen = newestFirst.filter((id) => !deleted.has(id) && !seen.includes(id));
        const alreadySeen = seen.filter((id) => !deleted.has(id));
        await Promise.all([
          make(key, `new-${before.length}-a`),
          make(key, `new-${before.length}-b`),
          alreadySeen.length > 0 ? remove(alreadySeen[0]!) : undefined,
          notYetSeen.length > 4 ? remove(notYetSeen[notYetSeen.length - 1]!) : undefined,
        ]);
      });
      const seen = pages.flatMap((p) => p.avatars.map((a) => a._id));
      expect(new Set(seen).size).toBe(seen.length);
      const surviving = newestFirst.filter((id) => !deleted.has(id));
      expect(surviving.length).toBeGreaterThan(10);
      for (const id of surviving) expect(seen).toContain(id);
      // What the walk saw of the initial avatars, in order: newest first, never out of place.
      const seenInitial = seen.filter((id) => initial.includes(id));
      expect(seenInitial).toEqual(newestFirst.filter((id) => seenInitial.includes(id)));
    });

    it('walks a name filter with cursors: only that name, each once, count of that name', async () => {
      const key = await freshKey();
      const same: string[] = [];
      for (let i = 0; i < 5; i++) {
        same.push(await make(key, 'Same'));
        await make(key, `other-${i}`);
      }
      const pages = await walk(key, 'name=Same&limit=2');
      expect(pages.flatMap((p) => p.avatars.map((a) => a._id))).toEqual([...same].reverse());
      expect(pages.map((p) => p.count)).toEqual([5, 5, 5]);
    });

    it('refuses a cursor it did not make, an offset past 1000 and a cursor with an offset, naming the cursor', async () => {
      const key = await freshKey();
      await make(key, 'x');
      await make(key, 'y');
      const cursor = (await server.api('GET', '/api/v1/avatars?limit=1', { key })).body.nextCursor as string;
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const forged = Buffer.from('["not a seq"]').toString('base64url');
      for (const bad of ['!!!', 'abc', forged, Buffer.from('[0]').toString('base64url'), encodeURIComponent(`${cursor}=`)]) {
        const answer = await server.api('GET', `/api/v1/avatars?after=${bad}`, { key });
        expectError(answer, 400, 'validation-failed');
        expect(answer.body.details[0].path).toBe('after');
      }
      const deep = await server.api('GET', '/api/v1/avatars?offset=1001', { key });
      expectError(deep, 400, 'validation-failed');
      expect(deep.body.details[0].path).toBe('offset');
      expect(deep.body.error).toContain('use "after" with the nextCursor of the previous page');
      expect((await server.api('GET', '/api/v1/avatars?offset=1000', { key })).body).toEqual({ avatars: [], count: 2, nextCursor: null });
      for (const offset of [0, 1]) {
        const both = await server.api('GET', `/api/v1/avatars?after=${cursor}&offset=${offset}`, { key });
        expectError(both, 400, 'validation-failed');
        expect(both.body.error).toContain('"after"');
      }
    });
  });

  describe('error', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=1.5', 'offset'],
      ['color=red', 'color'],
    ])('refuses ?%s with 400 validation-failed', async (query, path) => {
      const answer = await server.api('GET', `/api/v1/avatars?${query}`, { key: alice });
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details[0].path).toBe(path);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/avatars', { scope: 'avatars:read' });
  });
});
