// The list's count comes from avatar_counts (kept by triggers, migration 0005), not from the avatars: these tests
// hold it to a direct count of the visible avatars after every kind of write, on both stores.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.ts';
import { migrationProvider } from '../../src/store/migrations.ts';
import type { AvatarRecord } from '../../src/store/avatars.ts';
import type { Database } from '../../src/store/schema.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL, type StoreKind } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';

/** What the list's count must be: the organization's avatars, or without one the user's orgless avatars. */
async function directCount(db: Kysely<Database>, userId: string, organizationId: string | null, name?: string): Promise<number> {
  let query = db
    .selectFrom('avatars')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where((eb) =>
      organizationId === null
        ? eb.and([eb('organization_id', 'is', null), eb('user_id', '=', userId)])
        : eb('organization_id', '=', organizationId),
    );
  if (name !== undefined) query = query.where('name', '=', name);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

function record(id: string, userId: string, organizationId: string | null): AvatarRecord {
  const at = new Date().toISOString();
  return {
    id,
    name: `n ${id}`,
    description: null,
    tier: 'stylized_3d',
    renderStyle: 'vrm',
    orbColor: null,
    orbSize: null,
    status: 'ready',
    error: null,
    preprocessed: false,
    resources: { cpu: '100m', memory: '256Mi' },
    config: { resolution: '512x512', frameRate: 30, idleMotion: true },
    onDemand: null,
    sourceKey: null,
    sourceInfo: null,
    artifact: null,
    userId,
    organizationId,
    createdAt: at,
    updatedAt: at,
  };
}

describe.each(STORE_KINDS)("the list's count (%s)", (kind) => {
  let server: TestServer;
  let keys: TestKey[];
  let db: Kysely<Database>;
  beforeAll(async () => {
    server = await startTestServer(kind);
    db = server.server.services.store.db;
    // ann and bo share org_a; ann also works in org_b; cy has no organization.
    keys = [
      await server.makeKey('ann', 'org_a'),
      await server.makeKey('bo', 'org_a'),
      await server.makeKey('ann', 'org_b'),
      await server.makeKey('cy', null),
    ];
  });
  afterAll(() => server.close());

  const listedCount = async (key: TestKey, query = '') => {
    const answer = await server.api('GET', `/api/v1/avatars?limit=1${query}`, { key });
    expect(answer.status).toBe(200);
    return answer.body.count as number;
  };
  const expectCountsRight = async () => {
    for (const key of keys) expect(await listedCount(key)).toBe(await directCount(db, key.userId, key.organizationId));
  };
  const create = async (key: TestKey, name = 'Counted') => {
    const answer = await server.api('POST', '/api/v1/avatars', { key, body: { name, tier: 'stylized_3d' } });
    expect(answer.status).toBe(201);
    return answer.body._id as string;
  };

  it('stays right through creates and deletes across organizations', async () => {
    await expectCountsRight();
    const made = new Map<TestKey, string[]>();
    for (const [key, n] of [
      [keys[0]!, 3],
      [keys[1]!, 2],
      [keys[2]!, 2],
      [keys[3]!, 2],
    ] as const) {
      made.set(key, []);
      for (let i = 0; i < n; i++) made.get(key)!.push(await create(key));
    }
    await expectCountsRight();
    // ann of org_a counts org_a's avatars (hers and bo's), never those of ann of org_b.
    expect(await listedCount(keys[0]!)).toBe(3 + 2);
    for (const key of [keys[0]!, keys[2]!, keys[3]!]) {
      expect((await server.api('DELETE', `/api/v1/avatars/${made.get(key)![0]}`, { key })).status).toBe(200);
    }
    // A refused delete (another organization's avatar) changes nothing.
    expect((await server.api('DELETE', `/api/v1/avatars/${made.get(keys[1]!)![0]}`, { key: keys[3]! })).status).toBe(404);
    await expectCountsRight();
  });

  it('counts by name from the avatars themselves', async () => {
    await create(keys[0]!, 'Named once');
    await create(keys[2]!, 'Named once');
    for (const key of keys) {
      expect(await listedCount(key, '&name=Named%20once')).toBe(await directCount(db, key.userId, key.organizationId, 'Named once'));
    }
    expect(await listedCount(keys[0]!, '&name=Named%20once')).toBe(1);
  });

  it('stays right under concurrent creates and deletes', async () => {
    const ids = await Promise.all(Array.from({ length: 24 }, (_, i) => create(keys[i % keys.length]!)));
    await expectCountsRight();
    await Promise.all(
      ids.slice(0, 12).map(async (id, i) => {
        expect((await server.api('DELETE', `/api/v1/avatars/${id}`, { key: keys[i % keys.length]! })).status).toBe(200);
      }),
    );
    await expectCountsRight();
  });

  it('counts rows written around the store: bulk inserts, deletes and moves between organizations', async () => {
    const store = server.server.services.store.avatars;
    const rows = Array.from({ length: 30 }, (_, i) => {
      const { id, name, tier, status, resources, config, userId, organizationId, createdAt, updatedAt } = record(
        `avt_bulk${String(i).padStart(12, '0')}`,
        i % 2 ? 'ann' : 'dee',
        i % 3 ? 'org_a' : null,
      );
      return {
        id,
        name,
        tier,
        status,
        preprocessed: 0,
        resources: JSON.stringify(resources),
        config: JSON.stringify(config),
        user_id: userId,
        organization_id: organizationId,
        created_at: createdAt,
        updated_at: updatedAt,
      };
    });
    await db.insertInto('avatars').values(rows).execute();
    await expectCountsRight();
    await db
      .deleteFrom('avatars')
      .where(
        'id',
        'in',
        rows.slice(0, 7).map((r) => r.id),
      )
      .execute();
    await expectCountsRight();
    // Moved to org_b and to no organization: the count leaves org_a with it.
    await store.update(rows[10]!.id, { organizationId: 'org_b' });
    await store.update(rows[11]!.id, { organizationId: null, userId: 'cy' });
    await store.update(rows[12]!.id, { name: 'renamed only' });
    await expectCountsRight();
  });
});

describe.each(STORE_KINDS)('migration 0005 (%s)', (kind: StoreKind) => {
  it('fills the counts from the avatars already there', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-counts-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    const store = openStore({ dataDir, databaseUrl: schema ? TEST_DATABASE_URL : null, databaseSchema: schema?.schema ?? null });
    try {
      const migrator = new Migrator({
        db: store.db,
        provider: migrationProvider(store.dialect),
        ...(schema ? { migrationTableSchema: schema.schema } : {}),
      });
      const before = await migrator.migrateTo('0003_deployments');
      expect(before.error).toBeUndefined();
      const avatars = store.avatars;
      const owners: [string, string | null][] = [
        ['ann', 'org_a'],
        ['bo', 'org_a'],
        ['ann', 'org_b'],
        ['cy', null],
        ['cy', null],
      ];
      for (const [i, [userId, organizationId]] of owners.entries())
        await avatars.insert(record(`avt_old${String(i).padStart(13, '0')}`, userId, organizationId));
      const after = await migrator.migrateToLatest();
      expect(after.error).toBeUndefined();
      expect(after.results?.map((r) => r.migrationName)).toContain('0005_avatar_counts');

      for (const [userId, organizationId] of [
        ['ann', 'org_a'],
        ['ann', 'org_b'],
        ['bo', 'org_a'],
        ['cy', null],
        ['nobody', 'org_z'],
      ] as const) {
        const { count } = await avatars.list({ userId, organizationId }, { limit: 50, offset: 0 });
        expect(count).toBe(await directCount(store.db, userId, organizationId));
      }
      expect((await avatars.list({ userId: 'ann', organizationId: 'org_a' }, { limit: 50, offset: 0 })).count).toBe(2);
      expect((await avatars.list({ userId: 'cy', organizationId: null }, { limit: 50, offset: 0 })).count).toBe(2);
    } finally {
      await store.close();
      await schema?.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
