// Two API replicas on one PostgreSQL: what one of them writes (a key revoked, an avatar changed or deleted, a
// deployment moved on) is what the other answers from its very next request. Nothing a replica reads to answer a
// request (the key, the avatar, its deployment) is kept from one request to the next.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../harness/expect-error.ts';
import { createPgSchema } from '../harness/stores.ts';
import { startTestServer, type TestServer } from '../harness/test-server.ts';

describe('reads over two API replicas (postgres)', () => {
  let replicas: TestServer[] = [];
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let dataDir: string;
  beforeAll(async () => {
    schema = await createPgSchema();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'replica-reads-'));
    // No reconciler pass during a test: the deployment written below stays as written.
    const env = { DATABASE_SCHEMA: schema.schema, DATA_DIR: dataDir, RECONCILE_INTERVAL_MS: '60000' };
    replicas = [await startTestServer('postgres', env), await startTestServer('postgres', env)];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await schema?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const orb = { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' };

  describe('error', () => {
    it('a key revoked through one replica is refused by the other at once, on every route', async () => {
      const [a, b] = replicas as [TestServer, TestServer];
      const admin = await a.makeKey('u_admin', 'org_rep', ['keys:admin', 'avatars:read', 'avatars:write']);
      const key = await a.makeKey('u_rep', 'org_rep', ['avatars:read', 'avatars:write']);
      const avatar = (await a.api('POST', '/api/v1/avatars', { key, body: orb })).body;
      // Both replicas have just read the key (twice), as a busy one would.
      for (const replica of [a, b, a, b]) {
        expect((await replica.api('GET', `/api/v1/avatars/${avatar._id}`, { key })).status).toBe(200);
        expect((await replica.api('GET', '/api/v1/avatars', { key })).status).toBe(200);
      }
      expect((await a.api('DELETE', `/api/v1/auth/api-keys/${key.id}`, { key: admin })).status).toBe(200);
      for (const replica of [b, a]) {
        expectError(await replica.api('GET', `/api/v1/avatars/${avatar._id}`, { key }), 401, 'unauthorized');
        expectError(await replica.api('GET', '/api/v1/avatars', { key }), 401, 'unauthorized');
        expectError(await replica.api('GET', '/api/v1/auth/whoami', { key }), 401, 'unauthorized');
      }
      // The admin's own key is untouched, and sees the avatar on both.
      for (const replica of [a, b]) expect((await replica.api('GET', `/api/v1/avatars/${avatar._id}`, { key: admin })).status).toBe(200);
    });

    it('an avatar deleted through one replica is 404 on the other at once', async () => {
      const [a, b] = replicas as [TestServer, TestServer];
      const key = await a.makeKey('u_del', 'org_del');
      const avatar = (await a.api('POST', '/api/v1/avatars', { key, body: orb })).body;
      for (const replica of [b, a, b]) expect((await replica.api('GET', `/api/v1/avatars/${avatar._id}`, { key })).status).toBe(200);
      expect((await a.api('DELETE', `/api/v1/avatars/${avatar._id}`, { key })).status).toBe(200);
      for (const replica of [b, a]) expectError(await replica.api('GET', `/api/v1/avatars/${avatar._id}`, { key }), 404, 'not-found');
    });
  });

  describe('happy', () => {
    it("the other replica answers an avatar's change and its deployment's at once", async () => {
      const [a, b] = replicas as [TestServer, TestServer];
      const key = await a.makeKey('u_chg', 'org_chg');
      const avatar = (await a.api('POST', '/api/v1/avatars', { key, body: { name: 'Portrait', tier: 'animated_portrait' } })).body;
      const before = (await b.api('GET', `/api/v1/avatars/${avatar._id}`, { key })).body;
      expect(before).toMatchObject({ name: 'Portrait', deployment: { state: 'stopped', restarts: 0 }, renderingEndpoint: null });

      expect((await a.api('PUT', `/api/v1/avatars/${avatar._id}`, { key, body: { name: 'Renamed' } })).status).toBe(200);
      const now = new Date().toISOString();
      // The reconciler's kind of write, as either replica's loop would make it.
      await a.server.services.store.deployments.upsert({
        avatarId: avatar._id,
        desired: 'running',
        state: 'running',
        since: now,
        restarts: 3,
        lastError: null,
        endpoint: 'http://127.0.0.1:9',
        secret: 'x',
        lastUsedAt: now,
        nextAttemptAt: null,
      });
      const after = (await b.api('GET', `/api/v1/avatars/${avatar._id}`, { key })).body;
      expect(after).toMatchObject({
        name: 'Renamed',
        deployment: { state: 'running', since: now, restarts: 3, lastError: null },
        renderingEndpoint: 'http://127.0.0.1:9',
      });
      expect(after).toEqual((await a.api('GET', `/api/v1/avatars/${avatar._id}`, { key })).body);
    });
  });
});
