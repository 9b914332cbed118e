import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

describe.each(STORE_KINDS)('GET /api/v1/webhooks (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['webhooks:admin']);
  const make = (key: typeof admin | string, n: number) =>
    server.api('POST', '/api/v1/webhooks', { key, body: { url: `https://example.com/${n}`, events: ['video.completed'] } });

  describe('happy', () => {
    it("lists the organization's endpoints newest first, without secrets, with count, limit and offset", async () => {
      for (let i = 0; i < 3; i++) expect((await make(admin, i)).status).toBe(201);
      const colleague = await server.makeKey('colleague', 'org_a', ['webhooks:admin']);
      expect((await make(colleague, 3)).status).toBe(201);
      const all = await server.api('GET', '/api/v1/webhooks', { key: admin });
      expect(all.status).toBe(200);
      expect(all.body.count).toBe(4);
      expect(all.body.webhooks.map((w: { url: string }) => w.url)).toEqual([3, 2, 1, 0].map((n) => `https://example.com/${n}`));
      expect(all.body.webhooks.every((w: Record<string, unknown>) => !('secret' in w))).toBe(true);
      const page = await server.api('GET', '/api/v1/webhooks?limit=2&offset=1', { key: admin });
      expect(page.body.count).toBe(4);
      expect(page.body.webhooks.map((w: { url: string }) => w.url)).toEqual(['https://example.com/2', 'https://example.com/1']);
    });

    it("never lists another organization's endpoints, nor an orgless user's to anyone else", async () => {
      const other = await server.makeKey('admin', 'org_b', ['webhooks:admin']);
      expect((await server.api('GET', '/api/v1/webhooks', { key: other })).body).toEqual({ webhooks: [], count: 0, nextCursor: null });
      const solo = await server.makeKey('admin', null, ['webhooks:admin']);
      expect((await make(solo, 9)).status).toBe(201);
      const soloList = (await server.api('GET', '/api/v1/webhooks', { key: solo })).body;
      expect(soloList.count).toBe(1);
      const orgList = (await server.api('GET', '/api/v1/webhooks', { key: admin })).body;
      expect(orgList.webhooks.every((w: { organizationId: string }) => w.organizationId === 'org_a')).toBe(true);
      const otherSolo = await server.makeKey('stranger', null, ['webhooks:admin']);
      expect((await server.api('GET', '/api/v1/webhooks', { key: otherSolo })).body.count).toBe(0);
    });
  });

  describe('cursor', () => {
    let orgs = 0;
    const freshAdmin = () => server.makeKey('walker', `org_walk_${++orgs}`, ['webhooks:admin']);
    const endpoint = async (key: string | typeof admin, n: number) => {
      const answer = await make(key, n);
      expect(answer.status).toBe(201);
      return answer.body._id as string;
    };
    type Page = { webhooks: { _id: string }[]; count: number; nextCursor: string | null };
    const walk = async (key: string | typeof admin, during?: (before: Page[]) => Promise<unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/webhooks?limit=3${cursor === null ? '' : `&after=${cursor}`}`;
        const [answer] = await Promise.all([server.api('GET', url, { key }), during?.(pages)]);
        expect(answer.status).toBe(200);
        const page = answer.body as Page;
        pages.push(page);
        cursor = page.nextCursor;
        expect(pages.length).toBeLessThan(50);
      } while (cursor !== null);
      return pages;
    };

    it('walks every endpoint once, newest first, with the count on every page and null after the last', async () => {
      const key = await freshAdmin();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await endpoint(key, i));
      const pages = await walk(key);
      expect(pages.flatMap((p) => p.webhooks.map((w) => w._id))).toEqual([...ids].reverse());
      expect(pages.map((p) => p.count)).toEqual([7, 7, 7]);
    });

    it('yields every surviving endpoint exactly once while others are created and deleted during the walk', async () => {
      const key = await freshAdmin();
      const initial: string[] = [];
      for (let i = 0; i < 12; i++) initial.push(await endpoint(key, i));
      const newestFirst = [...initial].reverse();
      const deleted = new Set<string>();
      const remove = async (id: string) => {
        deleted.add(id);
        expect((await server.api('DELETE', `/api/v1/webhooks/${id}`, { key })).status).toBe(204);
      };
      const pages = await walk(key, async (before) => {
        const seen = before.flatMap((p) => p.webhooks.map((w) => w._id));
        const alreadySeen = seen.filter((id) => !deleted.has(id));
        const notYetSeen = newestFirst.filter((id) => !deleted.has(id) && !seen.includes(id));
        await Promise.all([
          endpoint(key, 100 + before.length),
          alreadySeen.length > 0 ? remove(alreadySeen[0]!) : undefined,
          notYetSeen.length > 3 ? remove(notYetSeen[notYetSeen.length - 1]!) : undefined,
        ]);
      });
      const seen = pages.flatMap((p) => p.webhooks.map((w) => w._id));
      expect(new Set(seen).size).toBe(seen.length);
      const surviving = newestFirst.filter((id) => !deleted.has(id));
      expect(surviving.length).toBeGreaterThan(3);
      for (const id of surviving) expect(seen).toContain(id);
      const seenInitial = seen.filter((id) => initial.includes(id));
      expect(seenInitial).toEqual(newestFirst.filter((id) => seenInitial.includes(id)));
    });

    it('refuses a bad cursor, an offset past 1000 and a cursor with an offset', async () => {
      const key = await freshAdmin();
      await endpoint(key, 1);
      await endpoint(key, 2);
      const cursor = (await server.api('GET', '/api/v1/webhooks?limit=1', { key })).body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      const bad = await server.api('GET', '/api/v1/webhooks?after=nope', { key });
      expectError(bad, 400, 'validation-failed');
      expect(bad.body.details[0].path).toBe('after');
      const deep = await server.api('GET', '/api/v1/webhooks?offset=1001', { key });
      expectError(deep, 400, 'validation-failed');
      expect(deep.body.error).toContain('use "after" with the nextCursor of the previous page');
      expectError(await server.api('GET', `/api/v1/webhooks?after=${cursor}&offset=0`, { key }), 400, 'validation-failed');
    });
  });

  describe('error', () => {
    it('refuses a bad limit or offset with 400 validation-failed', async () => {
      expectError(await server.api('GET', '/api/v1/webhooks?limit=0', { key: admin }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/webhooks?limit=201', { key: admin }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/webhooks?offset=-1', { key: admin }), 400, 'validation-failed');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/webhooks', { scope: 'webhooks:admin' });
  });
});
