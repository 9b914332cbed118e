import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { VRM_FIXTURES } from '../../../fixtures.ts';

const vrm1 = fs.readFileSync(VRM_FIXTURES.overrides);

// A deployed avatar's container stopping on delete is in ../../deployments.test.ts.
describe.each(STORE_KINDS)('DELETE /api/v1/avatars/:id (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'user_456', 'org_xyz');
  const create = async (body: Record<string, unknown> = {}) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Support Agent', tier: 'stylized_3d', ...body } })).body;
  const put = (id: string, body: unknown) => server.api('PUT', `/api/v1/avatars/${id}`, { key: owner, body });

  describe('happy', () => {
    it('deletes an avatar: { _id } once, then 404 for every call', async () => {
      const a = await create();
      const answer = await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ _id: a._id });
      expectError(await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner }), 404, 'not-found');
      expectError(await put(a._id, { name: 'x' }), 404, 'not-found');
      expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 404, 'not-found');
      const list = (await server.api('GET', '/api/v1/avatars?limit=200', { key: owner })).body;
      expect(list.avatars.map((x: { _id: string }) => x._id)).not.toContain(a._id);
    });

    it('deleting the avatar removes its stored files', async () => {
      const a = await create();
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/source`, {
        key: owner,
        raw: vrm1,
        headers: { 'content-type': 'application/octet-stream' },
      });
      await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner });
      expect((await fetch(answer.body.url)).status).toBe(404);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'DELETE /api/v1/avatars/:id', { scope: 'avatars:write', avatar: 'owner' });
  });
});
