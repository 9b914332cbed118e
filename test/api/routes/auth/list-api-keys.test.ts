import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { securityTests } from '../../../harness/security.ts';
import { expectError } from '../../../harness/expect-error.ts';
import type { TestKey } from '../../../harness/test-server.ts';

// Listing after a create, and what an orgless admin sees, are in create-api-key.test.ts; another organization's
// keys staying out of the list, in revoke-api-key.test.ts.
describe.each(STORE_KINDS)('GET /api/v1/auth/api-keys (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['keys:admin', 'avatars:read', 'avatars:write']);

  describe('happy', () => {
    it("lists the organization's keys, the caller's own included, with prefixes and no secrets", async () => {
      const colleague = await server.makeKey('colleague', 'org_a', ['avatars:read']);
      await server.makeKey('stranger', 'org_b', ['avatars:read']);
      const answer = await server.api('GET', '/api/v1/auth/api-keys', { key: admin });
      expect(answer.status).toBe(200);
      const ids = answer.body.keys.map((k: { id: string }) => k.id);
      expect(ids).toEqual(expect.arrayContaining([admin.id, colleague.id]));
      expect(answer.body.keys.every((k: { organizationId: string }) => k.organizationId === 'org_a')).toBe(true);
      expect(answer.body.keys.find((k: { id: string }) => k.id === colleague.id)).toMatchObject({
        userId: 'colleague',
        prefix: colleague.key.slice(0, 7),
      });
      expect(JSON.stringify(answer.body)).not.toContain(colleague.key);
    });
  });

  describe('cursor', () => {
    let orgs = 0;
    /** An admin of an organization of its own, so the walk sees only the keys the test made. */
    const freshAdmin = () => server.makeKey('walker', `org_keys_${++orgs}`, ['keys:admin', 'avatars:read']);
    type Page = { keys: { id: string; revokedAt: string | null }[]; count: number; nextCursor: string | null };
    /** Every page from the first to the one whose nextCursor is null; `during` runs while each page is read. */
    const walk = async (key: TestKey, query: string, during?: (before: Page[]) => Promise<unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/auth/api-keys?${query}${cursor === null ? '' : `&after=${cursor}`}`;
        const [answer] = await Promise.all([server.api('GET', url, { key }), during?.(pages)]);
        expect(answer.status).toBe(200);
        pages.push(answer.body as Page);
        cursor = (answer.body as Page).nextCursor;
        expect(pages.length).toBeLessThan(100);
      } while (cursor !== null);
      return pages;
    };
    const mint = async (key: TestKey, name: string) =>
      (await server.api('POST', '/api/v1/auth/api-keys', { key, body: { scopes: ['avatars:read'], name } })).body.id as string;

    it('walks every key once, newest first, with the exact count on every page and null after the last', async () => {
      const admin = await freshAdmin();
      const ids = [admin.id];
      for (let i = 0; i < 6; i++) ids.push(await mint(admin, `k${i}`));
      const pages = await walk(admin, 'limit=3');
      expect(pages.map((p) => p.keys.length)).toEqual([3, 3, 1]);
      const walked = pages.flatMap((p) => p.keys.map((k) => k.id));
      // Newest first; keys minted in one millisecond fall back on id order, so compare the set and the time order.
      expect([...walked].sort()).toEqual([...ids].sort());
      expect(new Set(walked).size).toBe(7);
      expect(pages.map((p) => p.count)).toEqual([7, 7, 7]);
      expect(pages[2]!.nextCursor).toBeNull();
      expect((await walk(admin, 'limit=7')).map((p) => p.keys.length)).toEqual([7]);
      // The default page holds them all; an offset page hands out the cursor too, so a client can switch.
      expect((await server.api('GET', '/api/v1/auth/api-keys', { key: admin })).body).toMatchObject({ count: 7, nextCursor: null });
      const byOffset = (await server.api('GET', '/api/v1/auth/api-keys?limit=2&offset=1', { key: admin })).body;
      expect(byOffset.keys.map((k: { id: string }) => k.id)).toEqual(walked.slice(1, 3));
      const next = (await server.api('GET', `/api/v1/auth/api-keys?limit=2&after=${byOffset.nextCursor}`, { key: admin })).body;
      expect(next.keys.map((k: { id: string }) => k.id)).toEqual(walked.slice(3, 5));
    });

    it('yields every key exactly once, in order, while others are minted and revoked during the walk', async () => {
      const admin = await freshAdmin();
      const initial: string[] = [];
      for (let i = 0; i < 20; i++) initial.push(await mint(admin, `w${i}`));
      const order = (await walk(admin, 'limit=200'))[0]!.keys.map((k) => k.id);
      const revoked = new Set<string>();
      const revoke = async (id: string) => {
        revoked.add(id);
        expect((await server.api('DELETE', `/api/v1/auth/api-keys/${id}`, { key: admin })).status).toBe(200);
      };
      const pages = await walk(admin, 'limit=4', async (before) => {
        const seen = before.flatMap((p) => p.keys.map((k) => k.id));
        const notYetSeen = initial.filter((id) => !revoked.has(id) && !seen.includes(id));
        await Promise.all([
          mint(admin, `new-${before.length}-a`),
          mint(admin, `new-${before.length}-b`),
          notYetSeen.length > 0 ? revoke(notYetSeen[0]!) : undefined,
        ]);
      });
      const walked = pages.flatMap((p) => p.keys.map((k) => k.id));
      expect(new Set(walked).size).toBe(walked.length);
      // A revoked key stays listed (with revokedAt): every key there was before the walk is seen, in its place.
      expect(walked.filter((id) => order.includes(id))).toEqual(order);
      expect(revoked.size).toBeGreaterThan(3);
      // Two keys were minted while each page was read; the count holds them all once the walk is over.
      const after = (await server.api('GET', '/api/v1/auth/api-keys?limit=1', { key: admin })).body;
      expect(after.count).toBe(order.length + 2 * pages.length);
    });

    it('refuses a cursor it did not make, an offset past 1000 and a cursor with an offset, naming the cursor', async () => {
      const admin = await freshAdmin();
      await mint(admin, 'x');
      const cursor = (await server.api('GET', '/api/v1/auth/api-keys?limit=1', { key: admin })).body.nextCursor as string;
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const bad of ['!!!', 'abc', Buffer.from('[1]').toString('base64url'), Buffer.from('["a",2]').toString('base64url')]) {
        const answer = await server.api('GET', `/api/v1/auth/api-keys?after=${bad}`, { key: admin });
        expectError(answer, 400, 'validation-failed');
        expect(answer.body.details[0].path).toBe('after');
      }
      const deep = await server.api('GET', '/api/v1/auth/api-keys?offset=1001', { key: admin });
      expectError(deep, 400, 'validation-failed');
      expect(deep.body.details[0].path).toBe('offset');
      expect(deep.body.error).toContain('use "after" with the nextCursor of the previous page');
      const both = await server.api('GET', `/api/v1/auth/api-keys?after=${cursor}&offset=0`, { key: admin });
      expectError(both, 400, 'validation-failed');
      for (const [query, path] of [
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['offset=-1', 'offset'],
        ['color=red', 'color'],
      ]) {
        const answer = await server.api('GET', `/api/v1/auth/api-keys?${query}`, { key: admin });
        expectError(answer, 400, 'validation-failed');
        expect(answer.body.details[0].path).toBe(path);
      }
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/auth/api-keys', { scope: 'keys:admin' });
  });
});
