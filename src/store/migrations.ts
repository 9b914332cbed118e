import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from './database.ts';

/**
 * One set of migrations for both stores. Where the dialects differ (auto-increment keys) the
 * migration asks which one it runs on; everything else is the same schema builder code.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_avatars_and_keys': {
      async up(db: Kysely<any>) {
        let avatars = db.schema.createTable('avatars');
        avatars =
          dialect === 'postgres'
            ? avatars.addColumn('seq', sql`bigserial`, (c) => c.primaryKey())
            : avatars.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
        await avatars
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('tier', 'text', (c) => c.notNull())
          .addColumn('render_style', 'text')
          .addColumn('orb_color', 'text')
          .addColumn('orb_size', 'real')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('preprocessed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('resources', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('on_demand', 'text')
          .addColumn('source_key', 'text')
          .addColumn('source_info', 'text')
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        // The access query is "same organization OR same user", newest first: one index per branch.
        await db.schema.createIndex('avatars_org_seq').on('avatars').columns(['organization_id', 'seq']).execute();
        await db.schema.createIndex('avatars_user_seq').on('avatars').columns(['user_id', 'seq']).execute();
        await db.schema.createIndex('avatars_name').on('avatars').columns(['name']).execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text')
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
      },
    },
    '0002_portrait_artifacts_and_leases': {
      async up(db: Kysely<any>) {
        // The preprocessed portrait the rendering container reads: { imageKey, faceKey }.
        await db.schema.alterTable('avatars').addColumn('artifact', 'text').execute();
        // Background work (preprocessing, deployments) is leased so replicas never do it twice.
        await db.schema.alterTable('avatars').addColumn('lease_owner', 'text').execute();
        await db.schema.alterTable('avatars').addColumn('lease_until', 'text').execute();
        await db.schema.createIndex('avatars_status').on('avatars').columns(['status']).execute();
      },
    },
    '0003_deployments': {
      async up(db: Kysely<any>) {
        // One row per avatar that was ever deployed: what the owner wants, and what the reconciler saw.
        await db.schema
          .createTable('deployments')
          .addColumn('avatar_id', 'text', (c) => c.primaryKey())
          .addColumn('desired', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('since', 'text', (c) => c.notNull())
          .addColumn('restarts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .addColumn('endpoint', 'text')
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('last_used_at', 'text', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .execute();
      },
    },
    '0006_live_sessions': {
      async up(db: Kysely<any>) {
        // A live session's token is shown once and kept as a hash, like API keys.
        await db.schema
          .createTable('live_sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('avatar_id', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('live_sessions_avatar').on('live_sessions').columns(['avatar_id']).execute();
      },
    },
    '0007_live_session_viewer_tokens': {
      async up(db: Kysely<any>) {
        // A second token per session that only watches (WHEP), so a viewer link cannot speak. Null on sessions
        // started before it: those have only the agent token.
        await db.schema.alterTable('live_sessions').addColumn('viewer_token_hash', 'text').execute();
      },
    },
    '0008_deployment_scaled_to_zero': {
      async up(db: Kysely<any>) {
        // An idle on-demand avatar is scaled to zero without touching `desired`, which stays the owner's.
        await db.schema.alterTable('deployments').addColumn('scaled_to_zero_at', 'text').execute();
      },
    },
    '0009_live_session_resource': {
      async up(db: Kysely<any>) {
        // Sessions are a resource (GET/DELETE /sessions/:id, an avatar's list): how they carry media, how they ended,
        // and their last metrics, kept past the end. Sessions from before are WHEP sessions.
        for (const column of [
          db.schema.alterTable('live_sessions').addColumn('transport', 'text', (c) => c.notNull().defaultTo('whep')),
          db.schema.alterTable('live_sessions').addColumn('participant_identity', 'text'),
          db.schema.alterTable('live_sessions').addColumn('ended_at', 'text'),
          db.schema.alterTable('live_sessions').addColumn('end_reason', 'text'),
          db.schema.alterTable('live_sessions').addColumn('metrics', 'text'),
        ]) {
          await column.execute();
        }
        await db.schema.createIndex('live_sessions_avatar_created').on('live_sessions').columns(['avatar_id', 'created_at']).execute();
        await db.schema.dropIndex('live_sessions_avatar').execute();
      },
    },
    '0010_webhooks': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('webhook_endpoints')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('status_reason', 'text')
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('webhook_endpoints_org').on('webhook_endpoints').columns(['organization_id', 'created_at']).execute();
        await db.schema.createIndex('webhook_endpoints_user').on('webhook_endpoints').columns(['user_id', 'created_at']).execute();
        // The worker's work list and each endpoint's log; rows go when their endpoint is deleted (by the store).
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('endpoint_id', 'text', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_status_code', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('next_attempt_at', 'text')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('delivered_at', 'text')
          .execute();
        await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
        await db.schema
          .createIndex('webhook_deliveries_endpoint')
          .on('webhook_deliveries')
          .columns(['endpoint_id', 'created_at'])
          .execute();
      },
    },
    '0011_video_jobs': {
      async up(db: Kysely<any>) {
        // Talking-video jobs: the runner's work list (claimed with leases, like deployments) and each avatar's list.
        let jobs = db.schema.createTable('video_jobs');
        jobs =
          dialect === 'postgres'
            ? jobs.addColumn('seq', sql`bigserial`, (c) => c.primaryKey())
            : jobs.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
        await jobs
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('avatar_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('speech_key', 'text', (c) => c.notNull())
          .addColumn('expression', 'text')
          .addColumn('background', 'text')
          .addColumn('transparent', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('seed', 'bigint', (c) => c.notNull())
          .addColumn('duration_seconds', 'real', (c) => c.notNull())
          .addColumn('width', 'integer', (c) => c.notNull())
          .addColumn('height', 'integer', (c) => c.notNull())
          .addColumn('frame_rate', 'integer', (c) => c.notNull())
          .addColumn('video_key', 'text')
          .addColumn('transparent_key', 'text')
          .addColumn('error', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('completed_at', 'text')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'text')
          .execute();
        await db.schema.createIndex('video_jobs_avatar_seq').on('video_jobs').columns(['avatar_id', 'seq']).execute();
        await db.schema.createIndex('video_jobs_status').on('video_jobs').columns(['status', 'seq']).execute();
      },
    },
    '0005_avatar_counts': {
      async up(db: Kysely<any>) {
        // The list's count without scanning the organization's index: avatars per (organization, owner), kept by
        // triggers in the writing statement's own transaction, so every path that writes avatars (the store, a bulk
        // load, an operator's SQL) keeps it right. An avatar without an organization counts under '' (organization
        // ids are never empty), so the key has no null in it.
        await db.schema
          .createTable('avatar_counts')
          .addColumn('organization_id', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('n', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('avatar_counts_pk', ['organization_id', 'user_id'])
          .execute();
        await db.schema.createIndex('avatar_counts_user').on('avatar_counts').columns(['user_id', 'organization_id']).execute();
        // Triggers first: on PostgreSQL creating one locks out writers to avatars until this migration commits, so
        // no avatar can slip in between the fill below and the triggers.
        for (const statement of dialect === 'postgres' ? POSTGRES_COUNT_TRIGGERS : SQLITE_COUNT_TRIGGERS)
          await sql.raw(statement).execute(db);
        await sql`insert into avatar_counts (organization_id, user_id, n)
          select coalesce(organization_id, ''), user_id, count(*) from avatars group by coalesce(organization_id, ''), user_id`.execute(db);
      },
    },
    '0012_avatar_lists_at_scale': {
      async up(db: Kysely<any>) {
        // A name-filtered list (and its count) reads one range of its tenant's entries, newest first, instead of
        // every avatar of that name in every tenant: (organization, name, seq), and for orgless avatars (user, name,
        // seq). The bare name index served only that filter, so it goes (one index less to write per avatar).
        await db.schema.createIndex('avatars_org_name_seq').on('avatars').columns(['organization_id', 'name', 'seq']).execute();
        await sql`create index avatars_orgless_name_seq on avatars (user_id, name, seq) where organization_id is null`.execute(db);
        await db.schema.dropIndex('avatars_name').execute();
        // An orgless user's list walked (user, seq) past every avatar the same user id has in organizations: its
        // index now holds the orgless avatars alone (the list is the only reader of the old one).
        await sql`create index avatars_orgless_user_seq on avatars (user_id, seq) where organization_id is null`.execute(db);
        await db.schema.dropIndex('avatars_user_seq').execute();
        // The key list pages by (createdAt, id) within a tenant, and counts the tenant's keys: one index per branch.
        await db.schema.createIndex('api_keys_org_created').on('api_keys').columns(['organization_id', 'created_at', 'id']).execute();
        await sql`create index api_keys_orgless_user_created on api_keys (user_id, created_at, id) where organization_id is null`.execute(
          db,
        );
        // A bulk insert (or delete) counts once per statement, from its transition table, instead of one counter
        // upsert per row (a million row versions of one counter row in one transaction). The move trigger stays per
        // row: PostgreSQL allows no transition table on a trigger with a column list. SQLite has only row triggers.
        if (dialect === 'postgres') for (const statement of POSTGRES_STATEMENT_COUNT_TRIGGERS) await sql.raw(statement).execute(db);
      },
    },
    '0013_video_seconds_double': {
      async up(db: Kysely<any>) {
        // PostgreSQL's `real` is 4 bytes: a clip's 1.8706666666666667 s read back as 1.8706666. SQLite's REAL is 8 bytes.
        if (dialect !== 'postgres') return;
        await sql`alter table video_jobs alter column duration_seconds type double precision, alter column progress type double precision`.execute(
          db,
        );
      },
    },
  };
}

const ADD_ONE = (row: 'new') =>
  `insert into avatar_counts (organization_id, user_id, n) values (coalesce(${row}.organization_id, ''), ${row}.user_id, 1)
   on conflict (organization_id, user_id) do update set n = avatar_counts.n + 1;`;
const TAKE_ONE = (row: 'old') =>
  `update avatar_counts set n = n - 1 where organization_id = coalesce(${row}.organization_id, '') and user_id = ${row}.user_id;`;

const SQLITE_COUNT_TRIGGERS = [
  `create trigger avatars_count_insert after insert on avatars begin ${ADD_ONE('new')} end`,
  `create trigger avatars_count_delete after delete on avatars begin ${TAKE_ONE('old')} end`,
  `create trigger avatars_count_move after update of organization_id, user_id on avatars
   when old.organization_id is not new.organization_id or old.user_id is not new.user_id
   begin ${TAKE_ONE('old')} ${ADD_ONE('new')} end`,
];

// ON CONFLICT DO UPDATE takes the counter row's lock, so concurrent inserts add up instead of losing one.
const POSTGRES_COUNT_TRIGGERS = [
  `create function avatar_counts_track() returns trigger language plpgsql as $$
   begin
     if tg_op in ('DELETE', 'UPDATE') then ${TAKE_ONE('old')} end if;
     if tg_op in ('INSERT', 'UPDATE') then ${ADD_ONE('new')} end if;
     return null;
   end $$`,
  `create trigger avatars_count_write after insert or delete on avatars for each row execute function avatar_counts_track()`,
  `create trigger avatars_count_move after update of organization_id, user_id on avatars for each row
   when (old.organization_id is distinct from new.organization_id or old.user_id is distinct from new.user_id)
   execute function avatar_counts_track()`,
];

// Counter rows are taken in (organization, user) order, so two bulk statements never wait on each other in a cycle.
const POSTGRES_STATEMENT_COUNT_TRIGGERS = [
  'drop trigger avatars_count_write on avatars',
  `create function avatar_counts_add() returns trigger language plpgsql as $$
   begin
     insert into avatar_counts (organization_id, user_id, n)
       select coalesce(organization_id, ''), user_id, count(*) from new_rows group by 1, 2 order by 1, 2
     on conflict (organization_id, user_id) do update set n = avatar_counts.n + excluded.n;
     return null;
   end $$`,
  `create function avatar_counts_take() returns trigger language plpgsql as $$
   declare gone record;
   begin
     for gone in select coalesce(organization_id, '') as o, user_id as u, count(*) as n from old_rows group by 1, 2 order by 1, 2 loop
       update avatar_counts set n = n - gone.n where organization_id = gone.o and user_id = gone.u;
     end loop;
     return null;
   end $$`,
  `create trigger avatars_count_insert after insert on avatars referencing new table as new_rows
   for each statement execute function avatar_counts_add()`,
  `create trigger avatars_count_delete after delete on avatars referencing old table as old_rows
   for each statement execute function avatar_counts_take()`,
];

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
