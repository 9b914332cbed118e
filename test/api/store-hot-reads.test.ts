// The store's hot reads (an avatar by id, an API key by hash, the list) skip kysely's query builder, and on SQLite
// read through a second connection (and keep rows read by id until this process changes them): a write is seen by
// the next read, and a transaction still reads its own rows.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import type { AvatarRecord } from '../../src/store/avatars.ts';
import type { KeyAndAvatar } from '../../src/store/key-and-avatar.ts';
import { issueApiKey, hashSecret } from '../../src/domain/keys/issue-api-key.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL } from '../harness/stores.ts';

let serial = 0;
function record(userId: string, organizationId: string | null, changes: Partial<AvatarRecord> = {}): AvatarRecord {
  const at = new Date(Date.UTC(2026, 0, 1) + serial * 1000).toISOString();
  return {
    id: `avt_hot${String(serial++).padStart(13, '0')}`,
    name: 'Hot',
    description: 'd',
    tier: 'animated_portrait',
    renderStyle: null,
    orbColor: null,
    orbSize: 0.75,
    status: 'ready',
    error: null,
    preprocessed: true,
    resources: { cpu: '1', memory: '1Gi' },
    config: { resolution: '256x256', frameRate: 25, idleMotion: false },
    onDemand: { schedulingMode: 'always_on', autoShutdownMinutes: 7 },
    sourceKey: 'k',
    sourceInfo: { width: 512 },
    artifact: { imageKey: 'i', faceKey: 'f' },
    userId,
    organizationId,
    createdAt: at,
    updatedAt: at,
    ...changes,
  };
}

describe.each(STORE_KINDS)('hot reads (%s)', (kind) => {
  let store: Store;
  /** A second store on the same data: its own pool, so its connections have run nothing yet. */
  let openAgain: () => Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-hot-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    openAgain = () => openStore({ dataDir, databaseUrl: schema ? TEST_DATABASE_URL : null, databaseSchema: schema?.schema ?? null });
    store = openAgain();
    await migrate(store);
    cleanup = async () => {
      await store.close();
      await schema?.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    };
  });
  afterAll(() => cleanup());

  it('never answers an older row after a change, however reads and writes interleave', async () => {
    const avatars = store.avatars;
    const avatar = record('u_race', 'o_race');
    await avatars.insert(avatar);
    for (let round = 0; round < 50; round++) {
      // Reads started before, during and after the write; the next read must see the write.
      const reads = [avatars.findById(avatar.id), avatars.update(avatar.id, { name: `n${round}` }), avatars.findById(avatar.id)];
      await Promise.all(reads);
      expect((await avatars.findById(avatar.id))!.name).toBe(`n${round}`);
    }
    await Promise.all([
      avatars.findById(avatar.id),
      avatars.updateIfSource(avatar.id, 'k', { status: 'failed' }),
      avatars.findById(avatar.id),
    ]);
    expect((await avatars.findById(avatar.id))!.status).toBe('failed');
    await Promise.all([avatars.findById(avatar.id), avatars.delete(avatar.id), avatars.findById(avatar.id)]);
    expect(await avatars.findById(avatar.id)).toBeNull();
  });

  it('answers an avatar by id exactly as written, and every change to it at once', async () => {
    const avatars = store.avatars;
    const written = record('u1', 'org_a');
    await avatars.insert(written);
    expect(await avatars.findById(written.id)).toEqual(written);
    const updated = await avatars.update(written.id, { name: 'Renamed', orbSize: null, onDemand: null });
    expect(updated).toEqual({ ...written, name: 'Renamed', orbSize: null, onDemand: null });
    expect(await avatars.delete(written.id)).toBe(true);
    expect(await avatars.findById(written.id)).toBeNull();
    expect(await avatars.findById('avt_nothere0000000000')).toBeNull();
  });

  it("reads a transaction's own uncommitted avatar inside it, and nothing of it after a rollback", async () => {
    const inside = record('u1', 'org_a');
    await expect(
      store.transaction(async (tx) => {
        await tx.avatars.insert(inside);
        expect((await tx.avatars.findById(inside.id))?.name).toBe('Hot');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.avatars.findById(inside.id)).toBeNull();
  });

  it('reads the row as it was while a transaction changes it, and as that left it once it has ended', async () => {
    const avatar = record('u_tx', 'org_tx');
    await store.avatars.insert(avatar);
    expect((await store.avatars.findById(avatar.id))?.name).toBe('Hot'); // cached (SQLite)
    await store.transaction(async (tx) => {
      await tx.avatars.update(avatar.id, { name: 'Committed' });
      expect((await store.avatars.findById(avatar.id))?.name).toBe('Hot');
    });
    expect((await store.avatars.findById(avatar.id))?.name).toBe('Committed');
    await expect(
      store.transaction(async (tx) => {
        await tx.avatars.update(avatar.id, { name: 'Rolled back' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await store.avatars.findById(avatar.id))?.name).toBe('Committed');
    // The store's own writes still keep the cache right: the transaction left it on.
    await store.avatars.update(avatar.id, { name: 'After' });
    expect((await store.avatars.findById(avatar.id))?.name).toBe('After');
  });

  it("lists newest first the organization's avatars, or an orgless user's own, by page and by name", async () => {
    const avatars = store.avatars;
    const mine = [
      record('u2', 'org_b'),
      record('u2', null, { name: 'Solo' }),
      record('u3', 'org_b'),
      record('u9', 'org_c'),
      record('u2', 'org_b', { name: 'Solo' }),
    ];
    for (const avatar of mine) await avatars.insert(avatar);
    // u2 of org_b sees org_b's avatars (u3's too), never u2's orgless one.
    const visible = [mine[4]!, mine[2]!, mine[0]!].map((a) => a.id);
    const all = await avatars.list({ userId: 'u2', organizationId: 'org_b' }, { limit: 10, offset: 0 });
    expect(all.avatars.map((a) => a.id)).toEqual(visible);
    expect(all.count).toBe(3);
    const second = await avatars.list({ userId: 'u2', organizationId: 'org_b' }, { limit: 2, offset: 2 });
    expect(second.avatars.map((a) => a.id)).toEqual(visible.slice(2));
    expect(second.count).toBe(3);
    const solo = await avatars.list({ userId: 'u2', organizationId: 'org_b' }, { name: 'Solo', limit: 10, offset: 0 });
    expect(solo).toEqual({ avatars: [expect.objectContaining({ id: mine[4]!.id })], count: 1, lastSeq: null });
    const orgless = await avatars.list({ userId: 'u2', organizationId: null }, { limit: 10, offset: 0 });
    expect(orgless.avatars.map((a) => a.id)).toEqual([mine[1]!.id]);
    expect(orgless.count).toBe(1);
    expect(await avatars.list({ userId: 'u3', organizationId: null }, { limit: 10, offset: 0 })).toEqual({
      avatars: [],
      count: 0,
      lastSeq: null,
    });
    expect(await avatars.list({ userId: 'nobody', organizationId: 'org_none' }, { limit: 10, offset: 0 })).toEqual({
      avatars: [],
      count: 0,
      lastSeq: null,
    });
  });

  it('finds an API key by the hash of its secret, and only by it', async () => {
    const issued = await issueApiKey(store, { userId: 'u1', organizationId: null, scopes: ['avatars:read'] });
    const keys = store.apiKeys;
    expect(await keys.findByHash(hashSecret(issued.key))).toMatchObject({
      id: issued.id,
      userId: 'u1',
      organizationId: null,
      scopes: ['avatars:read'],
      revokedAt: null,
    });
    expect(await keys.findByHash(hashSecret(`${issued.key}x`))).toBeNull();
  });

  it("reads a request's key, avatar and deployment together, fresh each time (one statement on PostgreSQL)", async () => {
    const issued = await issueApiKey(store, { userId: 'u_kaa', organizationId: 'o_kaa', scopes: ['avatars:read'] });
    const hash = hashSecret(issued.key);
    const portrait = record('u_kaa', 'o_kaa');
    const vrm = record('u_kaa', 'o_kaa', { tier: 'stylized_3d', renderStyle: 'vrm', onDemand: null, artifact: null });
    await store.avatars.insert(portrait);
    await store.avatars.insert(vrm);
    const now = new Date().toISOString();
    const deployment = {
      avatarId: portrait.id,
      desired: 'running' as const,
      state: 'running' as const,
      since: now,
      restarts: 2,
      lastError: null,
      endpoint: 'http://127.0.0.1:9',
      secret: 's',
      lastUsedAt: now,
      nextAttemptAt: null,
      scaledToZeroAt: null,
    };
    await store.deployments.upsert(deployment);

    // Counted on PostgreSQL's pool: every read of this request is one query.
    const queries = vi.spyOn(pg.Pool.prototype, 'query');
    let read: KeyAndAvatar;
    try {
      read = await store.keyAndAvatar(hash, portrait.id);
      if (kind === 'postgres') expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
    expect(read.key).toEqual(await store.apiKeys.findByHash(hash));
    expect(read.avatar).toEqual(await store.avatars.findById(portrait.id));
    expect(read.deployment).toEqual(deployment);

    // A stylized_3d avatar has no deployment; a missing avatar is null beside the key; an unknown secret reads nothing.
    expect(await store.keyAndAvatar(hash, vrm.id)).toEqual({
      key: read.key,
      avatar: await store.avatars.findById(vrm.id),
      deployment: null,
    });
    expect(await store.keyAndAvatar(hash, 'avt_missing000000000')).toEqual({ key: read.key, avatar: null, deployment: null });
    expect(await store.keyAndAvatar(hashSecret(`${issued.key}x`), portrait.id)).toEqual({ key: null, avatar: null, deployment: null });

    // Writes show at once: a revocation, a change, a deletion.
    await store.apiKeys.revoke(issued.id, now);
    await store.avatars.update(portrait.id, { name: 'Changed' });
    const changed = await store.keyAndAvatar(hash, portrait.id);
    expect(changed.key!.revokedAt).toBe(now);
    expect(changed.avatar!.name).toBe('Changed');
    await store.avatars.delete(portrait.id);
    expect(await store.keyAndAvatar(hash, portrait.id)).toMatchObject({ avatar: null, deployment: null });
  });

  it('answers reads made together each with its own key and avatar (on PostgreSQL in one shared query)', async () => {
    const tenants = ['a', 'b', 'c'].map((t) => ({ userId: `u_batch_${t}`, organizationId: `o_batch_${t}` }));
    const keys = await Promise.all(tenants.map((t) => issueApiKey(store, { ...t, scopes: ['avatars:read'] })));
    const avatars = tenants.map((t) => record(t.userId, t.organizationId));
    for (const avatar of avatars) await store.avatars.insert(avatar);
    const asked = [
      ...keys.flatMap((key) => avatars.map((avatar) => ({ hash: hashSecret(key.key), avatarId: avatar.id }))),
      { hash: hashSecret('no such key'), avatarId: avatars[0]!.id },
      { hash: hashSecret(keys[1]!.key), avatarId: 'avt_missing000000000' },
      // The key alone (every authenticated request but a get by id).
      { hash: hashSecret(keys[2]!.key), avatarId: null },
    ];
    const queries = vi.spyOn(pg.Pool.prototype, 'query');
    let answers: KeyAndAvatar[];
    try {
      answers = await Promise.all(asked.map((read) => store.keyAndAvatar(read.hash, read.avatarId)));
      if (kind === 'postgres') expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
    const expected = await Promise.all(
      asked.map(async (read) => {
        const key = await store.apiKeys.findByHash(read.hash);
        return { key, avatar: key && read.avatarId && (await store.avatars.findById(read.avatarId)), deployment: null };
      }),
    );
    expect(answers).toEqual(expected);
    expect(answers.filter((answer) => answer.avatar !== null)).toHaveLength(9);
    expect(answers.at(-1)).toEqual({ key: expect.objectContaining({ id: keys[2]!.id }), avatar: null, deployment: null });
  });

  // PostgreSQL's plan cache, which SQLite has no counterpart of.
  if (kind === 'postgres') {
    it('plans the shared read once a connection, not on each request, when reads come one at a time', async () => {
      const issued = await issueApiKey(store, { userId: 'u_plan', organizationId: 'o_plan', scopes: ['avatars:read'] });
      const avatar = record('u_plan', 'o_plan');
      await store.avatars.insert(avatar);
      // Some thousands of avatars: on a nearly empty table one lookup or ten cost the planner about the same.
      const others = Array.from({ length: 5000 }, () => record('u_plan', 'o_plan'));
      await store.avatars.insertMany(others);
      await sql`analyze avatars`.execute(store.db);
      const fresh = openAgain();
      try {
        // One at a time, so each statement carries one read, and the pool lends the same idle connection each time.
        for (let i = 0; i < 20; i++) {
          const id = others[i * 100]!.id;
          expect((await fresh.keyAndAvatar(hashSecret(issued.key), id)).avatar?.id).toBe(id);
        }
        // PostgreSQL plans a prepared statement afresh for its first five runs, then keeps a generic plan unless that
        // looks dearer. Seeing the arrays' length, it found a read of one cheaper planned afresh each run, and did so:
        // about 0.3 ms of the database's CPU a request, more than running it.
        const { rows } = await sql<{ generic_plans: string; custom_plans: string }>`
          select generic_plans, custom_plans from pg_prepared_statements where statement like '%with ordinality%'`.execute(fresh.db);
        expect(rows).toHaveLength(1);
        expect(Number(rows[0]!.custom_plans)).toBeLessThanOrEqual(5);
        expect(Number(rows[0]!.generic_plans)).toBeGreaterThanOrEqual(15);
      } finally {
        await fresh.close();
      }
    });
  }
});
