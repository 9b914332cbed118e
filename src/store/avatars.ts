import type { Kysely, Selectable } from 'kysely';
import { hotReadsOf } from './database.ts';
import { rowCacheOf } from './row-cache.ts';
import type { AvatarsTable, Database } from './schema.ts';

/** An avatar as the store keeps it (camelCase, JSON columns parsed). */
export interface AvatarRecord {
  id: string;
  name: string;
  description: string | null;
  tier: string;
  renderStyle: string | null;
  orbColor: string | null;
  orbSize: number | null;
  status: string;
  error: string | null;
  preprocessed: boolean;
  resources: Record<string, unknown>;
  config: Record<string, unknown>;
  onDemand: Record<string, unknown> | null;
  sourceKey: string | null;
  sourceInfo: Record<string, unknown> | null;
  /** The preprocessed portrait for the rendering container. */
  artifact: PortraitArtifactKeys | null;
  userId: string;
  organizationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PortraitArtifactKeys {
  imageKey: string;
  faceKey: string;
}

/** Who may see an avatar (the design's access query): the key's organization, or without one its user's orgless avatars. */
export interface Access {
  userId: string;
  organizationId: string | null;
}

export interface AvatarSummaryRecord {
  id: string;
  name: string;
  tier: string;
  status: string;
  userId: string;
  organizationId: string | null;
  createdAt: string;
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

function fromRow(row: Selectable<AvatarsTable>): AvatarRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tier: row.tier,
    renderStyle: row.render_style,
    orbColor: row.orb_color,
    orbSize: row.orb_size === null ? null : Number(row.orb_size),
    status: row.status,
    error: row.error,
    preprocessed: Boolean(row.preprocessed),
    resources: JSON.parse(row.resources),
    config: JSON.parse(row.config),
    onDemand: row.on_demand ? JSON.parse(row.on_demand) : null,
    sourceKey: row.source_key,
    sourceInfo: row.source_info ? JSON.parse(row.source_info) : null,
    artifact: row.artifact ? JSON.parse(row.artifact) : null,
    userId: row.user_id,
    organizationId: row.organization_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

type Columns = Omit<Selectable<AvatarsTable>, 'seq' | 'lease_owner' | 'lease_until'>;

function toColumns(record: Partial<AvatarRecord>): Partial<Columns> {
  const columns: Partial<Columns> = {};
  if (record.id !== undefined) columns.id = record.id;
  if (record.name !== undefined) columns.name = record.name;
  if (record.description !== undefined) columns.description = record.description;
  if (record.tier !== undefined) columns.tier = record.tier;
  if (record.renderStyle !== undefined) columns.render_style = record.renderStyle;
  if (record.orbColor !== undefined) columns.orb_color = record.orbColor;
  if (record.orbSize !== undefined) columns.orb_size = record.orbSize;
  if (record.status !== undefined) columns.status = record.status;
  if (record.error !== undefined) columns.error = record.error;
  if (record.preprocessed !== undefined) columns.preprocessed = record.preprocessed ? 1 : 0;
  if (record.resources !== undefined) columns.resources = JSON.stringify(record.resources);
  if (record.config !== undefined) columns.config = JSON.stringify(record.config);
  if (record.onDemand !== undefined) columns.on_demand = json(record.onDemand);
  if (record.sourceKey !== undefined) columns.source_key = record.sourceKey;
  if (record.sourceInfo !== undefined) columns.source_info = json(record.sourceInfo);
  if (record.artifact !== undefined) columns.artifact = json(record.artifact);
  if (record.userId !== undefined) columns.user_id = record.userId;
  if (record.organizationId !== undefined) columns.organization_id = record.organizationId;
  if (record.createdAt !== undefined) columns.created_at = record.createdAt;
  if (record.updatedAt !== undefined) columns.updated_at = record.updatedAt;
  return columns;
}

/** The columns fromRow reads, named, so the statement's result does not change when a column is added. */
const FIND_BY_ID = `select id, name, description, tier, render_style, orb_color, orb_size, status, error, preprocessed,
  resources, config, on_demand, source_key, source_info, artifact, user_id, organization_id, created_at, updated_at
  from avatars where id = ?`;

export function avatarStore(db: Kysely<Database>) {
  return {
    async insert(record: AvatarRecord): Promise<void> {
      // A read of this id before it existed is cached as "no such avatar": forget that.
      await rowCacheOf(db, 'avatars').writing(record.id, () =>
        db
          .insertInto('avatars')
          .values(toColumns(record) as Columns)
          .execute(),
      );
    },

    async findById(id: string): Promise<AvatarRecord | null> {
      // Every get and write of one avatar starts here: a fixed statement, not a query built per request.
      const row = await rowCacheOf<Selectable<AvatarsTable>>(db, 'avatars').read(
        id,
        async () => (await hotReadsOf(db).one<Selectable<AvatarsTable>>(FIND_BY_ID, [id])) ?? null,
      );
      return row ? fromRow(row) : null;
    },

    /** Changes the given fields; answers the updated record, or null when the avatar is gone. */
    async update(id: string, changes: Partial<AvatarRecord>): Promise<AvatarRecord | null> {
      const columns = toColumns(changes);
      if (Object.keys(columns).length > 0) {
        await rowCacheOf(db, 'avatars').writing(id, () => db.updateTable('avatars').set(columns).where('id', '=', id).execute());
      }
      return this.findById(id);
    },

    /**
     * Changes the given fields only while the avatar still has `sourceKey` (a result computed from
     * an older upload must not overwrite a newer one). Answers whether it changed anything.
     */
    async updateIfSource(id: string, sourceKey: string | null, changes: Partial<AvatarRecord>): Promise<boolean> {
      const result = await rowCacheOf(db, 'avatars').writing(id, () =>
        db
          .updateTable('avatars')
          .set({ ...toColumns(changes), lease_owner: null, lease_until: null })
          .where('id', '=', id)
          .where('source_key', sourceKey === null ? 'is' : '=', sourceKey)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    /** Avatars waiting in a status whose lease is free or expired, oldest first. */
    async findLeasable(status: string, now: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('avatars')
        .select('id')
        .where('status', '=', status)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** Takes the avatar's lease if it is free or expired; true when this owner now holds it. */
    async claimLease(id: string, owner: string, now: string, until: string): Promise<boolean> {
      const result = await db
        .updateTable('avatars')
        .set({ lease_owner: owner, lease_until: until })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const result = await rowCacheOf(db, 'avatars').writing(id, () => db.deleteFrom('avatars').where('id', '=', id).executeTakeFirst());
      return Number(result.numDeletedRows) > 0;
    },

    /**
     * Newest first (creation order breaks ties), as the access query allows: an organization's avatars walk the
     * (organization, seq) index; a user's orgless ones the (user, seq) index. Without a name the count is read from
     * avatar_counts (kept by triggers), not from the index entries.
     */
    async list(access: Access, filter: { name?: string; limit: number; offset: number }) {
      const org = access.organizationId;
      const tenantParams = org === null ? [access.userId] : [org];
      const kind = org === null ? 'user' : 'org';
      const named = filter.name !== undefined;
      const nameParams = named ? [filter.name] : [];
      const [rows, counted] = await Promise.all([
        hotReadsOf(db).all<Pick<Selectable<AvatarsTable>, SummaryColumn>>(LIST_SQL[kind][named ? 'named' : 'all'].page, [
          ...tenantParams,
          ...nameParams,
          filter.limit,
          filter.offset,
        ]),
        hotReadsOf(db).one<{ n: number | string | null }>(LIST_SQL[kind][named ? 'named' : 'all'].count, [...tenantParams, ...nameParams]),
      ]);
      const avatars: AvatarSummaryRecord[] = rows.map((r) => ({
        id: r.id,
        name: r.name,
        tier: r.tier,
        status: r.status,
        userId: r.user_id,
        organizationId: r.organization_id,
        createdAt: r.created_at,
      }));
      return { avatars, count: Number(counted?.n ?? 0) };
    },
  };
}

type SummaryColumn = 'id' | 'name' | 'tier' | 'status' | 'user_id' | 'organization_id' | 'created_at';

/** The list's page and count, by organization or by orgless user, with or without a name. Parameters in order. */
const LIST_SQL = (() => {
  const tenant = { org: 'organization_id = ?', user: 'organization_id is null and user_id = ?' };
  // avatar_counts stores no organization as '' (a primary key column cannot be null).
  const counts = { org: 'organization_id = ?', user: "organization_id = '' and user_id = ?" };
  const page = (where: string) =>
    `select id, name, tier, status, user_id, organization_id, created_at from avatars where ${where} order by seq desc limit ? offset ?`;
  const of = (kind: 'org' | 'user') => ({
    all: { page: page(tenant[kind]), count: `select sum(n) as n from avatar_counts where ${counts[kind]}` },
    named: { page: page(`${tenant[kind]} and name = ?`), count: `select count(*) as n from avatars where ${tenant[kind]} and name = ?` },
  });
  return { org: of('org'), user: of('user') };
})();

export type AvatarStore = ReturnType<typeof avatarStore>;
