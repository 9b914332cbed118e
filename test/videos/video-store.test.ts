// The video jobs' table on both stores: one claim wins, a lease that ran out is taken over, only the holder writes.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import type { VideoJobRecord } from '../../src/store/videos.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL } from '../harness/stores.ts';

const job = (id: string, avatarId = 'avt_0000000000000001'): VideoJobRecord => {
  const now = new Date().toISOString();
  return {
    id,
    avatarId,
    userId: 'u',
    organizationId: 'org',
    status: 'queued',
    progress: 0,
    source: 'text',
    speechKey: 'avatars/x/videos/y/0.pcm',
    expression: { name: 'happy', intensity: 0.5 },
    background: { color: '#112233' },
    transparent: true,
    seed: 4_000_000_000,
    // 44,896 samples at 24 kHz: a double, not a float (PostgreSQL once kept it in 4 bytes).
    durationSeconds: 44_896 / 24_000,
    width: 512,
    height: 512,
    frameRate: 30,
    videoKey: null,
    transparentKey: null,
    error: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  };
};

describe.each(STORE_KINDS)('video jobs store (%s)', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    if (kind === 'postgres') {
      const schema = await createPgSchema();
      store = openStore({ dataDir: '', databaseUrl: TEST_DATABASE_URL, databaseSchema: schema.schema });
      cleanup = schema.drop;
    } else {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'video-store-'));
      store = openStore({ dataDir: dir, databaseUrl: null });
      cleanup = () => fs.rm(dir, { recursive: true, force: true });
    }
    await migrate(store);
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it("keeps a job as it was written, and lists an avatar's newest first", async () => {
    const first = job('vid_a0000000000000000000', 'avt_list000000000000');
    await store.videos.insert(first);
    await store.videos.insert(job('vid_a0000000000000000001', 'avt_list000000000000'));
    expect(await store.videos.find(first.id)).toEqual(first);
    const listed = await store.videos.listForAvatar('avt_list000000000000', { limit: 10, offset: 0, afterSeq: null });
    expect(listed.count).toBe(2);
    expect(listed.videos.map((v) => v.id)).toEqual(['vid_a0000000000000000001', 'vid_a0000000000000000000']);
  });

  it('lets one of two claims at once take a job, and counts the attempt', async () => {
    await store.videos.insert(job('vid_b0000000000000000000'));
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const claims = await Promise.all([
      store.videos.claim('vid_b0000000000000000000', 'one', now, until),
      store.videos.claim('vid_b0000000000000000000', 'two', now, until),
    ]);
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    const claimed = claims.find((c) => c !== null)!;
    expect(claimed).toMatchObject({ status: 'rendering', attempts: 1 });
    expect(await store.videos.countRendering('avt_0000000000000001', now)).toBe(1);
    // The loser may not write; the holder may.
    const loser = claims[0] ? 'two' : 'one';
    const holder = claims[0] ? 'one' : 'two';
    expect(await store.videos.updateHeld('vid_b0000000000000000000', loser, { progress: 0.5 })).toBe(false);
    expect(await store.videos.updateHeld('vid_b0000000000000000000', holder, { progress: 0.5 })).toBe(true);
    expect((await store.videos.find('vid_b0000000000000000000'))?.progress).toBe(0.5);
  });

  it("lets one of two claims at once take an avatar's last render slot", async () => {
    await store.videos.insert(job('vid_e0000000000000000000', 'avt_bound00000000000'));
    await store.videos.insert(job('vid_e0000000000000000001', 'avt_bound00000000000'));
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const claims = await Promise.all([
      store.videos.claim('vid_e0000000000000000000', 'one', now, until, 1),
      store.videos.claim('vid_e0000000000000000001', 'two', now, until, 1),
    ]);
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    expect(await store.videos.countRendering('avt_bound00000000000', now)).toBe(1);
  });

  it('offers a rendering job again once its lease ran out, and the next claim takes it over', async () => {
    await store.videos.insert(job('vid_c0000000000000000000', 'avt_lease00000000000'));
    const past = new Date(Date.now() - 10_000).toISOString();
    expect(await store.videos.claim('vid_c0000000000000000000', 'dead', past, new Date(Date.now() - 5000).toISOString())).not.toBeNull();
    const now = new Date().toISOString();
    expect((await store.videos.findClaimable(now, 100)).map((c) => c.id)).toContain('vid_c0000000000000000000');
    const taken = await store.videos.claim('vid_c0000000000000000000', 'alive', now, new Date(Date.now() + 60_000).toISOString());
    expect(taken).toMatchObject({ status: 'rendering', attempts: 2 });
    expect(await store.videos.updateHeld('vid_c0000000000000000000', 'dead', { status: 'completed' })).toBe(false);
    expect((await store.videos.findClaimable(now, 100)).map((c) => c.id)).not.toContain('vid_c0000000000000000000');
  });

  it('forgets a deleted job: its holder can no longer write it', async () => {
    await store.videos.insert(job('vid_d0000000000000000000'));
    const now = new Date().toISOString();
    await store.videos.claim('vid_d0000000000000000000', 'me', now, new Date(Date.now() + 60_000).toISOString());
    expect(await store.videos.delete('vid_d0000000000000000000')).toBe(true);
    expect(await store.videos.updateHeld('vid_d0000000000000000000', 'me', { progress: 0.9 })).toBe(false);
  });
});
