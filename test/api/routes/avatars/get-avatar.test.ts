import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import type { TestKey } from '../../../harness/test-server.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

// Who may read whose avatar (same organization, own avatars, never others) is in list-avatars.test.ts.
describe.each(STORE_KINDS)('GET /api/v1/avatars/:id (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const alice = keyPerSuite(server, 'alice', 'org_a');
  const create = async (key: TestKey, name: string) =>
    (await server.api('POST', '/api/v1/avatars', { key, body: { name, tier: 'stylized_3d' } })).body;

  describe('happy', () => {
    it('gets the full avatar object by id', async () => {
      const made = await create(alice, 'Full');
      const answer = await server.api('GET', `/api/v1/avatars/${made._id}`, { key: alice });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(made);
    });
  });

  describe('error', () => {
    it('answers 404 for an unknown id and for an id of the wrong form', async () => {
      expectError(await server.api('GET', '/api/v1/avatars/avt_0000000000000000', { key: alice }), 404, 'not-found');
      expectError(await server.api('GET', '/api/v1/avatars/123', { key: alice }), 404, 'not-found');
      expectError(await server.api('GET', `/api/v1/avatars/${encodeURIComponent("avt_x' or 1=1 --")}`, { key: alice }), 404, 'not-found');
    });

    it('answers 404 for a deleted avatar', async () => {
      const a = await create(alice, 'gone');
      await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: alice });
      expectError(await server.api('GET', `/api/v1/avatars/${a._id}`, { key: alice }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/avatars/:id', { scope: 'avatars:read', avatar: 'visible' });
  });
});
