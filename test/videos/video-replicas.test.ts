// Two API replicas on one PostgreSQL (and one blob store) share the video jobs: each job is rendered once, by one of
// them, and the bounds hold over both (one render per avatar at once, one per server).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgSchema } from '../harness/stores.ts';
import { startTestServer, type TestServer } from '../harness/test-server.ts';

describe('video jobs over two API replicas (postgres)', () => {
  let replicas: TestServer[] = [];
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let dataDir: string;
  beforeAll(async () => {
    schema = await createPgSchema();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'video-replicas-'));
    const env = { DATABASE_SCHEMA: schema.schema, DATA_DIR: dataDir, VIDEOS_CONCURRENT: '1', VIDEOS_CONCURRENT_PER_AVATAR: '1' };
    replicas = [await startTestServer('postgres', env), await startTestServer('postgres', env)];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await schema?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  describe('happy', () => {
    it('renders every job once, never two of one avatar at once nor more than one per replica', async () => {
      const [a, b] = replicas as [TestServer, TestServer];
      const key = await a.makeKey('u_replicas', 'org_replicas');
      const jobs: string[] = [];
      for (const name of ['One', 'Two']) {
        const orb = (
          await a.api('POST', '/api/v1/avatars', {
            key,
            body: { name, tier: 'stylized_3d', renderStyle: 'orb', config: { resolution: '128x128', frameRate: 15 } },
          })
        ).body;
        for (const text of ['First.', 'Second.']) {
          // Asked of either replica: the job is the database's, not the process's.
          const via = jobs.length % 2 === 0 ? a : b;
          const made = await via.api('POST', `/api/v1/avatars/${orb._id}/videos`, { key, body: { text } });
          expect(made.status).toBe(202);
          jobs.push(made.body._id);
        }
      }
      const store = a.server.services.store;
      let most = 0;
      let mostPerAvatar = 0;
      let mostPerReplica = 0;
      const deadline = Date.now() + 240_000;
      for (;;) {
        const rows = await store.db.selectFrom('video_jobs').select(['id', 'avatar_id', 'status', 'lease_until', 'lease_owner']).execute();
        const now = new Date().toISOString();
        const rendering = rows.filter((r) => r.status === 'rendering' && r.lease_until !== null && r.lease_until >= now);
        most = Math.max(most, rendering.length);
        const perAvatar = new Map<string, number>();
        for (const r of rendering) perAvatar.set(r.avatar_id, (perAvatar.get(r.avatar_id) ?? 0) + 1);
        mostPerAvatar = Math.max(mostPerAvatar, ...perAvatar.values(), 0);
        const perReplica = new Map<string, number>();
        for (const r of rendering) perReplica.set(String(r.lease_owner), (perReplica.get(String(r.lease_owner)) ?? 0) + 1);
        mostPerReplica = Math.max(mostPerReplica, ...perReplica.values(), 0);
        if (rows.every((r) => r.status === 'completed' || r.status === 'failed')) break;
        if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(mostPerAvatar).toBeLessThanOrEqual(1);
      expect(most).toBeLessThanOrEqual(2);
      expect(mostPerReplica).toBeLessThanOrEqual(1);
      for (const id of jobs) {
        const job = await store.videos.find(id);
        expect(job).toMatchObject({ status: 'completed', attempts: 1 });
      }
    }, 300_000);
  });
});
