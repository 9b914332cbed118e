import { describe, expect, it, vi } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

describe.each(STORE_KINDS)('GET /api/v1/auth/whoami (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['keys:admin', 'avatars:read', 'avatars:write']);

  describe('happy', () => {
    it('whoami answers the caller', async () => {
      const answer = await server.api('GET', '/api/v1/auth/whoami', { key: admin });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        keyId: admin.id,
        userId: 'admin',
        organizationId: 'org_a',
        scopes: ['keys:admin', 'avatars:read', 'avatars:write'],
      });
    });

    it('whoami needs only a valid key, any scope', async () => {
      const key = await server.makeKey('plain', null, ['avatars:read']);
      expect((await server.api('GET', '/api/v1/auth/whoami', { key })).body.userId).toBe('plain');
      expectError(await server.api('GET', '/api/v1/auth/whoami'), 401, 'unauthorized');
    });
  });

  describe('error', () => {
    it("refuses a key revoked behind this server's back (another replica, the CLI) at once", async () => {
      const key = await server.makeKey('reused', 'org_a', ['avatars:read']);
      const call = () => server.api('GET', '/api/v1/auth/whoami', { key });
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      await server.server.services.store.db
        .updateTable('api_keys')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', key.id)
        .execute();
      expectError(await call(), 401, 'unauthorized');
    });

    it('refuses a key the moment it expires', async () => {
      const key = await server.makeKey('expiring', 'org_a', ['avatars:read'], { expiresInDays: 1 });
      expect((await server.api('GET', '/api/v1/auth/whoami', { key })).status).toBe(200);
      // Only Date moves (two days on): expiry is read from the clock on every request.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 86_400_000 });
      try {
        expectError(await server.api('GET', '/api/v1/auth/whoami', { key }), 401, 'unauthorized');
      } finally {
        vi.useRealTimers();
      }
      expect((await server.api('GET', '/api/v1/auth/whoami', { key })).status).toBe(200);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/auth/whoami', { scope: null });
  });
});
