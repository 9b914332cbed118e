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
