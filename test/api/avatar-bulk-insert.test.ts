// The store's bulk insert (insertMany: one statement per batch, as the API bench seeds a million avatars) and the
// per-statement count triggers of migration 0012: the list's count stays exact, by tenant and by name, on both stores.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAvatarId } from '../../src/domain/ids.ts';
import type { AvatarRecord } from '../../src/store/avatars.ts';
import type { Database } from '../../src/store/schema.ts';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';

function record(i: number, userId: string, organizationId: string | null, name: string): AvatarRecord {
  const at = new Date(Date.parse('2020-01-01T00:00:00.000Z') + i * 1000).toISOString();
  return {
    id: newAvatarId(),
    name,
    description: i % 2 ? null : `it's "number" ${i}\\`,
    tier: i % 3 ? 'stylized_3d' : 'animated_portrait',
    renderStyle: i % 3 ? 'orb' : null,
    orbColor: i % 3 ? '#33aaff' : null,
    orbSize: i % 3 ? 0.75 : null,
    status: 'ready',
    error: null,
    preprocessed: i % 3 === 0,
    resources: { cpu: '100m', memory: '256Mi' },
    config: { resolution: '512x512', frameRate: 30, idleMotion: true },
    onDemand: i % 3 ? null : { enabled: true, idleTimeoutSeconds: 300 },
    sourceKey: null,
    sourceInfo: null,
    artifact: null,
    userId,
    organizationId,
    createdAt: at,
    updatedAt: at,
  } as AvatarRecord;
}

describe.each(STORE_KINDS)('avatars.insertMany (%s)', (kind) => {
  let server: TestServer;
  let db: Kysely<Database>;
  let ann: TestKey;
  let cy: TestKey;
  let other: TestKey;
  beforeAll(async () => {
    server = await startTestServer(kind);
    db = server.server.services.store.db;
    ann = await server.makeKey('ann', 'org_bulk');
    cy = await server.makeKey('cy', null);
    other = await server.makeKey('ann', 'org_other');
  });
  afterAll(() => server.close());

  const list = async (key: TestKey, query: string) => {
    const answer = await server.api('GET', `/api/v1/avatars?${query}`, { key });
    expect(answer.status).toBe(200);
    return answer.body as { avatars: { _id: string; name: string }[]; count: number; nextCursor: string | null };
  };
  const directCount = async (organizationId: string | null, userId: string, name?: string) => {
    let query = db.selectFrom('avatars').select((eb) => eb.fn.countAll<number | string>().as('n'));
    query =
      organizationId === null
        ? query.where('organization_id', 'is', null).where('user_id', '=', userId)
        : query.where('organization_id', '=', organizationId);
    if (name !== undefined) query = query.where('name', '=', name);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };

  it('inserts many statements of rows whose fields read back as written, and counts them exactly', async () => {
    // More rows than one statement holds on either store (SQLite: its parameter bound; PostgreSQL: 10,000 a statement).
    const records = Array.from({ length: 12_345 }, (_, i) =>
      i % 5 === 4 ? record(i, 'cy', null, `orgless ${i % 7}`) : record(i, i % 2 ? 'ann' : 'bo', 'org_bulk', `bulk ${i % 10}`),
    );
    await server.server.services.store.avatars.insertMany(records);
    for (const probe of [records[0]!, records[3]!, records[4]!, records[12_344]!]) {
      expect(await server.server.services.store.avatars.findById(probe.id)).toEqual(probe);
    }
    const inOrg = records.filter((r) => r.organizationId === 'org_bulk');
    expect((await list(ann, 'limit=1')).count).toBe(inOrg.length);
    expect((await list(cy, 'limit=1')).count).toBe(records.length - inOrg.length);
    expect((await list(other, 'limit=1')).count).toBe(0);
    expect(await directCount('org_bulk', 'ann')).toBe(inOrg.length);
    // By name: the count of that name in the tenant, and its pages newest first.
    const named = inOrg.filter((r) => r.name === 'bulk 3').reverse();
    const first = await list(ann, 'name=bulk%203&limit=100');
    expect(first.count).toBe(named.length);
    expect(first.avatars.map((a) => a._id)).toEqual(named.slice(0, 100).map((r) => r.id));
    const second = await list(ann, `name=bulk%203&limit=100&after=${first.nextCursor}`);
    expect(second.avatars.map((a) => a._id)).toEqual(named.slice(100, 200).map((r) => r.id));
    expect((await list(cy, 'name=orgless%202&limit=1')).count).toBe(await directCount(null, 'cy', 'orgless 2'));
  });

  it('keeps counts exact under concurrent bulk inserts, single creates and a bulk delete', async () => {
    const before = await directCount('org_bulk', 'ann');
    const batch = (from: number) =>
      Array.from({ length: 3000 }, (_, i) => record(from + i, ['ann', 'bo', 'dee'][i % 3]!, 'org_bulk', 'concurrent'));
    const made = await Promise.all([
      server.server.services.store.avatars.insertMany(batch(100_000)),
      server.server.services.store.avatars.insertMany(batch(200_000)),
      ...Array.from({ length: 6 }, () =>
        server.api('POST', '/api/v1/avatars', { key: ann, body: { name: 'concurrent', tier: 'stylized_3d' } }),
      ),
    ]);
    expect(made.slice(2).every((answer) => answer && (answer as { status: number }).status === 201)).toBe(true);
    expect((await list(ann, 'limit=1')).count).toBe(before + 6006);
    expect((await list(ann, 'name=concurrent&limit=1')).count).toBe(6006);
    // One statement deleting rows of several owners: each owner's counter goes down by its own rows.
    await db.deleteFrom('avatars').where('name', '=', 'concurrent').where('user_id', 'in', ['bo', 'dee']).execute();
    expect((await list(ann, 'limit=1')).count).toBe(await directCount('org_bulk', 'ann'));
    expect((await list(ann, 'name=concurrent&limit=1')).count).toBe(2006);
  });

  it('inserts nothing for an empty list, and nothing at all when one row of a batch is refused', async () => {
    const before = await directCount('org_bulk', 'ann');
    await server.server.services.store.avatars.insertMany([]);
    const clash = record(1, 'ann', 'org_bulk', 'clash');
    await server.server.services.store.avatars.insertMany([clash]);
    const again = [record(2, 'ann', 'org_bulk', 'clash'), { ...clash }];
    await expect(server.server.services.store.avatars.insertMany(again)).rejects.toThrow();
    expect(await directCount('org_bulk', 'ann')).toBe(before + 1);
    expect((await list(ann, 'limit=1')).count).toBe(before + 1);
  });
});
