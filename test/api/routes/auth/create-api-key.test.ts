import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

describe.each(STORE_KINDS)('POST /api/v1/auth/api-keys (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['keys:admin', 'avatars:read', 'avatars:write']);

  describe('happy', () => {
    it("creates a key in the admin's organization, shows its secret once, and the key works", async () => {
      const created = await server.api('POST', '/api/v1/auth/api-keys', {
        key: admin,
        body: { userId: 'newbie', scopes: ['avatars:read', 'avatars:write'], name: 'CI', expiresInDays: 30 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        userId: 'newbie',
        organizationId: 'org_a',
        scopes: ['avatars:read', 'avatars:write'],
        name: 'CI',
        revokedAt: null,
      });
      expect(created.body.key).toMatch(/^sk_[0-9A-Za-z]{32,}$/);
      expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
      const whoami = await server.api('GET', '/api/v1/auth/whoami', { key: created.body.key });
      expect(whoami.body).toMatchObject({ userId: 'newbie', organizationId: 'org_a' });

      const list = await server.api('GET', '/api/v1/auth/api-keys', { key: admin });
      expect(list.status).toBe(200);
      const listed = list.body.keys.find((k: { id: string }) => k.id === created.body.id);
      expect(listed).toMatchObject({ userId: 'newbie', prefix: created.body.key.slice(0, 7) });
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
      expect(JSON.stringify(list.body)).not.toMatch(/secret|hash/i);
    });

    it('stores only a hash of the secret', async () => {
      const created = (await server.api('POST', '/api/v1/auth/api-keys', { key: admin, body: { scopes: ['avatars:read'] } })).body;
      const rows = await server.server.services.store.db.selectFrom('api_keys').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(created.key);
    });

    it("an admin key without an organization manages only its own user's keys", async () => {
      const solo = await server.makeKey('solo', null, ['keys:admin', 'avatars:read']);
      expectError(
        await server.api('POST', '/api/v1/auth/api-keys', { key: solo, body: { userId: 'someone-else', scopes: ['avatars:read'] } }),
        403,
        'forbidden',
      );
      const own = await server.api('POST', '/api/v1/auth/api-keys', { key: solo, body: { scopes: ['avatars:read'] } });
      expect(own.body).toMatchObject({ userId: 'solo', organizationId: null });
      const list = (await server.api('GET', '/api/v1/auth/api-keys', { key: solo })).body.keys;
      expect(list.every((k: { userId: string; organizationId: null }) => k.userId === 'solo' && k.organizationId === null)).toBe(true);
    });
  });

  describe('error', () => {
    it('never grants a scope the admin key does not hold, and names what it lacks', async () => {
      const narrow = await server.makeKey('narrow', 'org_a', ['keys:admin', 'avatars:read']);
      const refused = await server.api('POST', '/api/v1/auth/api-keys', {
        key: narrow,
        body: { scopes: ['avatars:read', 'avatars:write'] },
      });
      expectError(refused, 403, 'forbidden');
      expect(refused.body.error).toContain('avatars:write');
      const before = (await server.api('GET', '/api/v1/auth/api-keys', { key: narrow })).body.keys.length;
      // What it holds it may pass on, keys:admin included.
      const granted = await server.api('POST', '/api/v1/auth/api-keys', { key: narrow, body: { scopes: ['keys:admin', 'avatars:read'] } });
      expect(granted.status).toBe(201);
      // A key it minted cannot mint past its own scopes either.
      expectError(
        await server.api('POST', '/api/v1/auth/api-keys', { key: granted.body.key, body: { scopes: ['avatars:write'] } }),
        403,
        'forbidden',
      );
      expect((await server.api('GET', '/api/v1/auth/api-keys', { key: narrow })).body.keys.length).toBe(before + 1);
    });

    it('mints only inside its own organization: the body cannot name another one', async () => {
      const answer = await server.api('POST', '/api/v1/auth/api-keys', {
        key: admin,
        body: { scopes: ['avatars:read'], organizationId: 'org_b' },
      });
      expectError(answer, 400, 'validation-failed');
      const minted = await server.api('POST', '/api/v1/auth/api-keys', { key: admin, body: { scopes: ['avatars:read'], userId: 'alice' } });
      expect(minted.body).toMatchObject({ userId: 'alice', organizationId: 'org_a' });
    });

    it.each([
      ['no scopes', { scopes: [] }],
      ['an unknown scope', { scopes: ['avatars:delete'] }],
      ['a repeated scope', { scopes: ['avatars:read', 'avatars:read'] }],
      ['an expiry of 0 days', { scopes: ['avatars:read'], expiresInDays: 0 }],
      ['an unknown field', { scopes: ['avatars:read'], admin: true }],
      ['a user id with spaces', { scopes: ['avatars:read'], userId: 'a b' }],
    ])('refuses %s with 400 validation-failed', async (_label, body) => {
      expectError(await server.api('POST', '/api/v1/auth/api-keys', { key: admin, body }), 400, 'validation-failed');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/auth/api-keys', { scope: 'keys:admin', body: { scopes: ['avatars:read'] } });
  });
});
