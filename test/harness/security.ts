import { expect, it } from 'vitest';
import type { Scope } from '../../src/domain/context.ts';
import { expectError } from './expect-error.ts';
import type { TestKey, TestServer } from './test-server.ts';
import { liveSessionRecord } from './store-services.ts';

export interface SecurityRules {
  /** null: any valid key may call it (whoami), so there is no scope to be refused for. */
  scope: Scope | null;
  body?: unknown;
  /** The route acts on one avatar: other tenants get 404, as for an avatar that does not exist. */
  avatar?: 'visible' | 'owner';
  /**
   * The route acts on one live session of the avatar: the path's `:id` is the session's id (a session recorded on
   * the owner's avatar; no container holds it, so it reads as ended with `renderer-gone`).
   */
  session?: true;
  /** The route acts on one video job of the avatar: the path's `:id` is the job's id (queued, as the store keeps it). */
  video?: true;
}

const MISSING_SESSION = 'ses_00000000000000000000';
const MISSING_VIDEO = 'vid_00000000000000000000';

/** A queued video job on the avatar as the store keeps it: tenancy needs only the record. */
async function recordedVideo(server: TestServer, avatarId: string): Promise<string> {
  const id = `vid_${Math.random().toString(36).slice(2, 12).padEnd(10, '0')}${'0'.repeat(10)}`;
  const now = new Date().toISOString();
  await server.server.services.store.videos.insert({
    ...{ id, avatarId, userId: 'u_sec', organizationId: 'org_sec', status: 'queued', progress: 0, source: 'text' },
    ...{ speechKey: `avatars/${avatarId}/videos/${id}/none.pcm`, expression: null, background: null, transparent: false, seed: 1 },
    ...{ durationSeconds: 1, width: 512, height: 512, frameRate: 30, videoKey: null, transparentKey: null, error: null, attempts: 0 },
    ...{ createdAt: now, updatedAt: now, completedAt: null },
  });
  return id;
}

/** A session on the avatar as the store keeps it, without a container behind it: tenancy needs only the record. */
async function recordedSession(server: TestServer, avatarId: string): Promise<string> {
  const session = liveSessionRecord(avatarId);
  await server.server.services.store.liveSessions.insert(session);
  return session.id;
}

/**
 * The checks every authenticated route must pass (unkey's shared security tests): no key, an
 * unknown, revoked or expired key -> 401; a key without the scope -> 403; another tenant's avatar
 * -> the same 404 as a missing one; a same-organization non-owner -> 403 where only the owner may act.
 */
export function securityTests(getServer: () => TestServer, operation: `${string} /${string}`, rules: SecurityRules) {
  // 'GET /api/v1/avatars/:id', as the route is declared: `:id` stands for the avatar's id (or the session's).
  const [method, template] = operation.split(' ');
  const route = { ...rules, method, path: (id: string) => template.replace(':id', id) };
  const setup = async () => {
    const server = getServer();
    const owner = await server.makeKey(`owner_${Math.random()}`, 'org_sec');
    const created = await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Sec', tier: 'stylized_3d' } });
    const avatarId = created.body._id as string;
    // `avatarId` is what the route's path is given: the session's id for a session route.
    const target = route.session ? await recordedSession(server, avatarId) : route.video ? await recordedVideo(server, avatarId) : avatarId;
    return { server, owner, avatarId: target, ownerAvatar: avatarId };
  };
  const missingId = route.session ? MISSING_SESSION : route.video ? MISSING_VIDEO : 'avt_0000000000000000';
  /**
   * Keys an attacker can get without the owner's help: another organization's user, an orgless user, and the owner's
   * own user id in another organization or in none — by the CLI, or minted over the API by another organization's
   * keys:admin (user ids are free strings, unique only inside one organization).
   */
  const outsiders = async (server: TestServer, owner: TestKey) => {
    const admin = await server.makeKey(`admin_${Math.random()}`, 'org_other');
    const minted = await server.api('POST', '/api/v1/auth/api-keys', {
      key: admin,
      body: { userId: owner.userId, scopes: ['avatars:read', 'avatars:write', 'keys:admin'] },
    });
    expect(minted.status).toBe(201);
    return [
      await server.makeKey('u_stranger', 'org_other'),
      await server.makeKey('u_orgless', null),
      await server.makeKey(owner.userId, 'org_other'),
      await server.makeKey(owner.userId, null),
      minted.body.key as string,
    ];
  };
  const call = (server: TestServer, path: string, key: unknown) => server.api(route.method, path, { key: key as string, body: route.body });

  it(`${route.method} ${route.path(':id')} answers 401 without a key, or with an unknown, revoked or expired key`, async () => {
    const { server, avatarId } = await setup();
    const path = route.path(avatarId);
    expectError(await call(server, path, null), 401, 'unauthorized');
    expectError(await call(server, path, 'sk_notARealKey000000000000000000000000000'), 401, 'unauthorized');
    const revoked = await server.makeKey('u_revoked', 'org_sec');
    await server.api('DELETE', `/api/v1/auth/api-keys/${revoked.id}`, { key: revoked });
    expectError(await call(server, path, revoked), 401, 'unauthorized');
    const expiring = await server.makeKey('u_expired', 'org_sec', undefined, { expiresInDays: 1 });
    await server.server.services.store.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', expiring.id)
      .execute();
    expectError(await call(server, path, expiring), 401, 'unauthorized');
  });

  const scope = route.scope;
  if (scope) {
    it(`${route.method} ${route.path(':id')} answers 403 scope-required without ${scope}`, async () => {
      const { server, avatarId } = await setup();
      const others = (['avatars:read', 'avatars:write', 'keys:admin'] as Scope[]).filter((s) => s !== scope);
      const key = await server.makeKey('u_scopeless', 'org_sec', others);
      expectError(await call(server, route.path(avatarId), key), 403, 'scope-required');
    });
  }

  if (route.avatar) {
    it(`${route.method} ${route.path(':id')} hides other tenants' avatars behind the same 404 as a missing one`, async () => {
      const { server, owner, avatarId, ownerAvatar } = await setup();
      const keys = await outsiders(server, owner);
      const missing = await call(server, route.path(missingId), keys[0]);
      expectError(missing, 404, 'not-found');
      for (const key of keys) {
        const answer = await call(server, route.path(avatarId), key);
        expectError(answer, 404, 'not-found');
        expect(answer.body.error.replace(avatarId, 'ID')).toBe(missing.body.error.replace(missingId, 'ID'));
      }
      expectError(await call(server, route.path('not-an-id'), keys[0]), 404, 'not-found');
      // The refused calls changed nothing the owner sees.
      expect((await server.api('GET', `/api/v1/avatars/${ownerAvatar}`, { key: owner })).body.name).toBe('Sec');
      if (route.session) {
        // The record has no container behind it, so the API's session watcher may write it down as `renderer-gone`
        // meanwhile (every SESSION_WATCH_INTERVAL_MS; once in CI). A refused call must not end it.
        const session = await server.server.services.store.liveSessions.find(avatarId);
        expect([null, 'renderer-gone']).toContain(session?.endReason);
      }
      if (route.video) expect(await server.server.services.store.videos.find(avatarId)).not.toBeNull();
    });
  }

  if (route.avatar === 'owner') {
    it(`${route.method} ${route.path(':id')} answers 403 forbidden to a same-organization user who is not the owner`, async () => {
      const { server, avatarId } = await setup();
      const colleague = await server.makeKey('u_colleague', 'org_sec');
      expectError(await call(server, route.path(avatarId), colleague), 403, 'forbidden');
    });
  }
}
