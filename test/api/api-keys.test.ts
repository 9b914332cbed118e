import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEY_CACHE_MS } from '../../src/store/api-keys.ts';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { securityTests } from '../harness/security.ts';

describe.each(STORE_KINDS)('/api/v1/auth (%s)', (kind) => {
  let server: TestServer;
  let admin: TestKey;
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.makeKey('admin', 'org_a', ['keys:admin', 'avatars:read', 'avatars:write']);
  });
  afterAll(() => server.close());

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

  it('revokes a key: refused from the next request on', async () => {
    const created = (await server.api('POST', '/api/v1/auth/api-keys', { key: admin, body: { scopes: ['avatars:read'] } })).body;
    expect((await server.api('GET', '/api/v1/avatars', { key: created.key })).status).toBe(200);
    const revoked = await server.api('DELETE', `/api/v1/auth/api-keys/${created.id}`, { key: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expectError(await server.api('GET', '/api/v1/avatars', { key: created.key }), 401, 'unauthorized');
  });

  it("refuses a key revoked behind this server's back (another replica, the CLI) within a second, though key reads are reused", async () => {
    const key = await server.makeKey('reused', 'org_a', ['avatars:read']);
    const call = () => server.api('GET', '/api/v1/auth/whoami', { key });
    // The second call is answered from the first one's read of the key.
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    await server.server.services.store.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', key.id)
      .execute();
    const revokedAt = Date.now();
    let answer = await call();
    while (answer.status === 200 && Date.now() - revokedAt < 1000) answer = await call();
    expectError(answer, 401, 'unauthorized');
    // And it stays refused once the reused read is gone.
    await new Promise((resolve) => setTimeout(resolve, KEY_CACHE_MS + 50));
    expectError(await call(), 401, 'unauthorized');
  });

  it('refuses a key the moment it expires, even while its read is being reused', async () => {
    const key = await server.makeKey('expiring', 'org_a', ['avatars:read'], { expiresInDays: 1 });
    expect((await server.api('GET', '/api/v1/auth/whoami', { key })).status).toBe(200);
    // Only Date moves (two days on): the reused read is still fresh by the monotonic clock, the key is not.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 86_400_000 });
    try {
      expectError(await server.api('GET', '/api/v1/auth/whoami', { key }), 401, 'unauthorized');
    } finally {
      vi.useRealTimers();
    }
    expect((await server.api('GET', '/api/v1/auth/whoami', { key })).status).toBe(200);
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

  it("never reaches another organization's keys", async () => {
    const other = await server.makeKey('other-admin', 'org_b', ['keys:admin', 'avatars:read']);
    const theirs = (await server.api('POST', '/api/v1/auth/api-keys', { key: other, body: { scopes: ['avatars:read'] } })).body;
    expectError(await server.api('DELETE', `/api/v1/auth/api-keys/${theirs.id}`, { key: admin }), 404, 'not-found');
    const mine = (await server.api('GET', '/api/v1/auth/api-keys', { key: admin })).body.keys;
    expect(mine.every((k: { organizationId: string }) => k.organizationId === 'org_a')).toBe(true);
    expect((await server.api('GET', '/api/v1/auth/whoami', { key: theirs.key })).status).toBe(200);
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

  it('never grants a scope the admin key does not hold, and names what it lacks', async () => {
    const narrow = await server.makeKey('narrow', 'org_a', ['keys:admin', 'avatars:read']);
    const refused = await server.api('POST', '/api/v1/auth/api-keys', { key: narrow, body: { scopes: ['avatars:read', 'avatars:write'] } });
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

  it('answers 404 for unknown or malformed key ids', async () => {
    expectError(await server.api('DELETE', '/api/v1/auth/api-keys/ak_0000000000000000', { key: admin }), 404, 'not-found');
    expectError(await server.api('DELETE', '/api/v1/auth/api-keys/nope', { key: admin }), 404, 'not-found');
  });

  describe('security', () => {
    securityTests(() => server, { method: 'GET', path: () => '/api/v1/auth/whoami', scope: null });
    securityTests(() => server, { method: 'GET', path: () => '/api/v1/auth/api-keys', scope: 'keys:admin' });
    securityTests(() => server, {
      method: 'POST',
      path: () => '/api/v1/auth/api-keys',
      scope: 'keys:admin',
      body: { scopes: ['avatars:read'] },
    });
    securityTests(() => server, { method: 'DELETE', path: () => '/api/v1/auth/api-keys/ak_0000000000000000', scope: 'keys:admin' });
  });
});
