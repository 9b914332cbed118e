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
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
