// Issue 12's exact requests: a user id is unique only inside its organization, so the same id elsewhere (minted by
// another organization's keys:admin, or orgless from the CLI) is another person and reaches nothing of the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';

describe.each(STORE_KINDS)('the same user id across organizations (%s)', (kind) => {
  let server: TestServer;
  let aliceO1: TestKey;
  let avatarId: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    aliceO1 = await server.makeKey('alice', 'O1');
    avatarId = (await server.api('POST', '/api/v1/avatars', { key: aliceO1, body: { name: 'Alice of O1', tier: 'realtime_lipsync' } })).body
      ._id;
  });
  afterAll(() => server.close());

  const attackers = async () => {
    const adminO2 = await server.makeKey('boss', 'O2', ['avatars:read', 'avatars:write', 'keys:admin']);
    const minted = await server.api('POST', '/api/v1/auth/api-keys', {
      key: adminO2,
      body: { scopes: ['avatars:read', 'avatars:write', 'keys:admin'], userId: 'alice' },
    });
    // Minting alice inside O2 is allowed: it is O2's own user.
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ userId: 'alice', organizationId: 'O2' });
    return {
      'alice minted in O2': minted.body.key as string,
      'alice from the CLI, no organization': (await server.makeKey('alice', null)).key,
    };
  };

  it('lists, changes, deletes and starts sessions on nothing of alice in O1', async () => {
    for (const [label, key] of Object.entries(await attackers())) {
      const list = await server.api('GET', '/api/v1/avatars', { key });
      expect(list.status, label).toBe(200);
      expect(
        list.body.avatars.map((a: { _id: string }) => a._id),
        label,
      ).not.toContain(avatarId);
      expect(list.body.count, label).toBe(list.body.avatars.length);
      expectError(await server.api('GET', `/api/v1/avatars/${avatarId}`, { key }), 404, 'not-found');
      expectError(await server.api('PUT', `/api/v1/avatars/${avatarId}`, { key, body: { name: 'taken' } }), 404, 'not-found');
      expectError(await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key }), 404, 'not-found');
      expectError(await server.api('POST', `/api/v1/avatars/${avatarId}/deploy`, { key }), 404, 'not-found');
      expectError(await server.api('DELETE', `/api/v1/avatars/${avatarId}`, { key }), 404, 'not-found');
    }
    const still = await server.api('GET', `/api/v1/avatars/${avatarId}`, { key: aliceO1 });
    expect(still.status).toBe(200);
    expect(still.body.name).toBe('Alice of O1');
  });

  it("keeps the orgless alice's avatars from alice of O1 as well", async () => {
    const orgless = await server.makeKey('alice', null);
    const theirs = (await server.api('POST', '/api/v1/avatars', { key: orgless, body: { name: 'orgless', tier: 'stylized_3d' } })).body._id;
    expectError(await server.api('GET', `/api/v1/avatars/${theirs}`, { key: aliceO1 }), 404, 'not-found');
    expect((await server.api('GET', `/api/v1/avatars/${theirs}`, { key: orgless })).status).toBe(200);
    const listed = (await server.api('GET', '/api/v1/avatars?limit=200', { key: aliceO1 })).body.avatars.map((a: { _id: string }) => a._id);
    expect(listed).not.toContain(theirs);
  });
});
