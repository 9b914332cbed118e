import { CompiledQuery, type Kysely, PostgresAdapter, type Selectable } from 'kysely';
import type { FastPaths } from './fast-paths.ts';
import { jsonText, numeric, recordColumns, zeroOne } from './record-columns.ts';
import type { AvatarsTable, Database } from './schema.ts';
import type { RenderConfig } from '../../contract/render-config.ts';
import type { OnDemand, RenderStyle, Resources, Status, Tier } from '../model/avatar-fields.ts';

/** An avatar as the store keeps it (camelCase, JSON columns parsed once, here, into the domain's shapes). */
export interface AvatarRecord {
  id: string;
  name: string;
  description: string | null;
  tier: Tier;
  renderStyle: RenderStyle | null;
  orbColor: string | null;
  orbSize: number | null;
  status: Status;
  error: string | null;
  preprocessed: boolean;
  resources: Resources;
  config: RenderConfig;
  /** Tier 2/3 only; null for stylized_3d. */
  onDemand: OnDemand | null;
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
  tier: Tier;
  status: Status;
  userId: string;
  organizationId: string | null;
  createdAt: string;
}

type Columns = Omit<Selectable<AvatarsTable>, 'seq' | 'lease_owner' | 'lease_until'>;

export const AVATAR = recordColumns<AvatarRecord, Columns>({
  id: null,
  name: null,
  description: null,
  tier: null,
  renderStyle: null,
  orbColor: null,
  orbSize: numeric,
  status: null,
  error: null,
  preprocessed: zeroOne,
  resources: jsonText,
  config: jsonText,
  onDemand: jsonText,
  sourceKey: null,
  sourceInfo: jsonText,
  artifact: jsonText,
  userId: null,
  organizationId: null,
  createdAt: null,
  updatedAt: null,
});

const SUMMARY = recordColumns<AvatarSummaryRecord, Columns>({
  id: null,
  name: null,
  tier: null,
  status: null,
  userId: null,
  organizationId: null,
  createdAt: null,
});

/** The record's columns, named, so the statement's result does not change when a column is added. */
const FIND_BY_ID = `select ${AVATAR.list} from avatars where id = ?`;

/** The avatars table; `fast` is its store's (fast-paths.ts). */
export function avatarStore(db: Kysely<Database>, fast: FastPaths) {
  const rows = fast.avatarRows;
  return {
    async insert(record: AvatarRecord): Promise<void> {
      // A read of this id before it existed is cached as "no such avatar": forget that.
      await rows.writing(record.id, () => db.insertInto('avatars').values(AVATAR.toRow(record)).execute());
    },

    /**
     * Inserts many avatars (bulk loads: an import, the API bench) in one transaction, many rows to a statement: on
     * PostgreSQL one `unnest` of column arrays per INSERT_MANY_BATCH rows, on SQLite a VALUES list under its bound on
     * parameters. avatar_counts stays exact through its triggers (on PostgreSQL once per statement, migration 0012).
     */
    async insertMany(records: readonly AvatarRecord[]): Promise<void> {
      if (records.length === 0) return;
      const tableRows = records.map((record) => AVATAR.toRow(record) as unknown as Record<string, unknown>);
      const columns = Object.keys(tableRows[0]!);
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      const batch = postgres ? INSERT_MANY_BATCH : Math.floor(SQLITE_MAX_PARAMETERS / columns.length);
      await db.transaction().execute(async (trx) => {
        for (let first = 0; first < tableRows.length; first += batch) {
          const part = tableRows.slice(first, first + batch);
          await trx.executeQuery(postgres ? unnestInsert(columns, part) : valuesInsert(columns, part));
        }
      });
      // A read of one of these ids before it existed may be cached as "no such avatar".
      for (const record of records) rows.forget(record.id);
    },

    async findById(id: string): Promise<AvatarRecord | null> {
      // Every get and write of one avatar starts here: a fixed statement, not a query built per request.
      const row = await rows.read(id, async () => (await fast.reads.one<object>(FIND_BY_ID, [id])) ?? null);
      return row ? AVATAR.fromSelected(row) : null;
    },

    /** Changes the given fields; answers the updated record, or null when the avatar is gone. */
    async update(id: string, changes: Partial<AvatarRecord>): Promise<AvatarRecord | null> {
      const columns = AVATAR.toColumns(changes);
      if (Object.keys(columns).length > 0) {
        await rows.writing(id, () => db.updateTable('avatars').set(columns).where('id', '=', id).execute());
      }
      return this.findById(id);
    },

    /**
     * Changes the given fields only while the avatar still has `sourceKey` (a result computed from
     * an older upload must not overwrite a newer one). Answers whether it changed anything.
     */
    async updateIfSource(id: string, sourceKey: string | null, changes: Partial<AvatarRecord>): Promise<boolean> {
      const result = await rows.writing(id, () =>
        db
          .updateTable('avatars')
          .set({ ...AVATAR.toColumns(changes), lease_owner: null, lease_until: null })
          .where('id', '=', id)
          .where('source_key', sourceKey === null ? 'is' : '=', sourceKey)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    /** Avatars waiting in a status whose lease is free or expired, oldest first. */
    async findLeasable(status: Status, now: string, limit: number): Promise<string[]> {
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
      const result = await rows.writing(id, () => db.deleteFrom('avatars').where('id', '=', id).executeTakeFirst());
      return Number(result.numDeletedRows) > 0;
    },

    /**
     * Newest first (creation order breaks ties), as the access query allows: an organization's avatars walk the
     * (organization, seq) index; a user's orgless ones the (user, seq) index. `afterSeq` starts the page below that
     * seq (keyset: rows written meanwhile move no other row across a page's edge). One row more than the page is
     * read to tell whether another page follows: `lastSeq` is the page's last seq then, else null. Without a name
     * the count is read from avatar_counts (kept by triggers), not from the index entries.
     */
    async list(access: Access, filter: { name?: string; limit: number; offset: number; afterSeq?: number | null }) {
      const org = access.organizationId;
      const tenantParams = org === null ? [access.userId] : [org];
      const statements = LIST_SQL[org === null ? 'user' : 'org'][filter.name !== undefined ? 'named' : 'all'];
      const nameParams = filter.name !== undefined ? [filter.name] : [];
      const page =
        filter.afterSeq === undefined || filter.afterSeq === null
          ? fast.reads.all<SeqRow>(statements.page, [...tenantParams, ...nameParams, filter.limit + 1, filter.offset])
          : fast.reads.all<SeqRow>(statements.pageAfter, [...tenantParams, ...nameParams, filter.afterSeq, filter.limit + 1]);
      const [rows, counted] = await Promise.all([
        page,
        fast.reads.one<{ n: number | string | null }>(statements.count, [...tenantParams, ...nameParams]),
      ]);
      const more = rows.length > filter.limit;
      const shown = more ? rows.slice(0, filter.limit) : rows;
      const avatars = shown.map(({ seq: _seq, ...row }) => SUMMARY.fromSelected(row));
      const lastSeq = more ? Number(shown[shown.length - 1]!.seq) : null;
      return { avatars, count: Number(counted?.n ?? 0), lastSeq };
    },
  };
}

/** A list row: the summary's columns and the seq the next page starts below (bigint: PostgreSQL answers a string). */
type SeqRow = { seq: number | string } & object;

/** The list's pages and count, by organization or by orgless user, with or without a name. Parameters in order. */
const LIST_SQL = (() => {
  const tenant = { org: 'organization_id = ?', user: 'organization_id is null and user_id = ?' };
  // avatar_counts stores no organization as '' (a primary key column cannot be null).
  const counts = { org: 'organization_id = ?', user: "organization_id = '' and user_id = ?" };
  const select = `select seq, ${SUMMARY.list} from avatars where`;
  const of = (kind: 'org' | 'user') => {
    const named = `${tenant[kind]} and name = ?`;
    return {
      all: {
        page: `${select} ${tenant[kind]} order by seq desc limit ? offset ?`,
        pageAfter: `${select} ${tenant[kind]} and seq < ? order by seq desc limit ?`,
        count: `select sum(n) as n from avatar_counts where ${counts[kind]}`,
      },
      named: {
        page: `${select} ${named} order by seq desc limit ? offset ?`,
        pageAfter: `${select} ${named} and seq < ? order by seq desc limit ?`,
        count: `select count(*) as n from avatars where ${named}`,
      },
    };
  };
  return { org: of('org'), user: of('user') };
})();

/** Rows to one PostgreSQL statement of insertMany: its parameters are one array per column, whatever the count. */
const INSERT_MANY_BATCH = 10_000;
/** SQLite's default bound on a statement's parameters (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const SQLITE_MAX_PARAMETERS = 32_766;
/** The avatars columns that are not text, as unnest needs each array's type. */
const PG_COLUMN_TYPES: Record<string, string> = { orb_size: 'real', preprocessed: 'integer' };

function unnestInsert(columns: string[], rows: Record<string, unknown>[]) {
  const arrays = columns.map((column) => rows.map((row) => row[column] ?? null));
  const unnest = columns.map((column, i) => `$${i + 1}::${PG_COLUMN_TYPES[column] ?? 'text'}[]`).join(', ');
  return CompiledQuery.raw(`insert into avatars (${columns.join(', ')}) select * from unnest(${unnest})`, arrays);
}

function valuesInsert(columns: string[], rows: Record<string, unknown>[]) {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values = rows.flatMap((row) => columns.map((column) => row[column] ?? null));
  return CompiledQuery.raw(`insert into avatars (${columns.join(', ')}) values ${rows.map(() => tuple).join(', ')}`, values);
}

export type AvatarStore = ReturnType<typeof avatarStore>;
