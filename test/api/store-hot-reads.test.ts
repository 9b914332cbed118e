// The store's hot reads (an avatar by id, an API key by hash, the list) skip kysely's query builder, and on SQLite
// read through a second connection (and keep rows read by id until this process changes them): a write is seen by
// the next read, and a transaction still reads its own rows.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import type { AvatarRecord } from '../../src/store/avatars.ts';
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
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-hot-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    store = openStore({ dataDir, databaseUrl: schema ? TEST_DATABASE_URL : null, databaseSchema: schema?.schema ?? null });
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
      store.db.transaction().execute(async (trx) => {
        await store.within(trx).avatars.insert(inside);
        expect((await store.within(trx).avatars.findById(inside.id))?.name).toBe('Hot');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.avatars.findById(inside.id)).toBeNull();
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
    expect(await keys.findByHashForRequest(hashSecret(issued.key))).toMatchObject({ id: issued.id });
    expect(await keys.findByHash(hashSecret(`${issued.key}x`))).toBeNull();
    expect(await keys.findByHashForRequest(hashSecret(`${issued.key}x`))).toBeNull();
  });
});
