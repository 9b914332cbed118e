import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

describe.each(STORE_KINDS)('DELETE /api/v1/auth/api-keys/:id (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['keys:admin', 'avatars:read', 'avatars:write']);

  describe('happy', () => {
    it('revokes a key: refused from the next request on', async () => {
      const created = (await server.api('POST', '/api/v1/auth/api-keys', { key: admin, body: { scopes: ['avatars:read'] } })).body;
      expect((await server.api('GET', '/api/v1/avatars', { key: created.key })).status).toBe(200);
      const revoked = await server.api('DELETE', `/api/v1/auth/api-keys/${created.id}`, { key: admin });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      expectError(await server.api('GET', '/api/v1/avatars', { key: created.key }), 401, 'unauthorized');
    });

    it('revoking one key over the API leaves the other keys working', async () => {
      const kept = await server.makeKey('kept', 'org_a', ['avatars:read']);
      const gone = (await server.api('POST', '/api/v1/auth/api-keys', { key: admin, body: { scopes: ['avatars:read'] } })).body;
      expect((await server.api('GET', '/api/v1/auth/whoami', { key: kept })).status).toBe(200);
      expect((await server.api('GET', '/api/v1/auth/whoami', { key: gone.key })).status).toBe(200);
      expect((await server.api('DELETE', `/api/v1/auth/api-keys/${gone.id}`, { key: admin })).status).toBe(200);
      expectError(await server.api('GET', '/api/v1/auth/whoami', { key: gone.key }), 401, 'unauthorized');
      expect((await server.api('GET', '/api/v1/auth/whoami', { key: kept })).body.userId).toBe('kept');
    });
  });

  describe('error', () => {
    it("never reaches another organization's keys", async () => {
      const other = await server.makeKey('other-admin', 'org_b', ['keys:admin', 'avatars:read']);
      const theirs = (await server.api('POST', '/api/v1/auth/api-keys', { key: other, body: { scopes: ['avatars:read'] } })).body;
      expectError(await server.api('DELETE', `/api/v1/auth/api-keys/${theirs.id}`, { key: admin }), 404, 'not-found');
      const mine = (await server.api('GET', '/api/v1/auth/api-keys', { key: admin })).body.keys;
      expect(mine.every((k: { organizationId: string }) => k.organizationId === 'org_a')).toBe(true);
      expect((await server.api('GET', '/api/v1/auth/whoami', { key: theirs.key })).status).toBe(200);
    });

    it('answers 404 for unknown or malformed key ids', async () => {
      expectError(await server.api('DELETE', '/api/v1/auth/api-keys/ak_0000000000000000', { key: admin }), 404, 'not-found');
      expectError(await server.api('DELETE', '/api/v1/auth/api-keys/nope', { key: admin }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'DELETE /api/v1/auth/api-keys/ak_0000000000000000', { scope: 'keys:admin' });
  });
});
