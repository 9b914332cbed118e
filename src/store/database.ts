import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';
import { raisingUnavailable } from './database-unavailable.ts';
import {
  forgetWritten,
  postgresReads,
  sqliteReads,
  storeFastPaths,
  transactionFastPaths,
  type FastPaths,
  type WrittenRows,
} from './fast-paths.ts';
import { avatarStore, type AvatarStore } from './avatars.ts';
import { deploymentStore, type DeploymentStore } from './deployments.ts';
import { apiKeyStore, type ApiKeyStore } from './api-keys.ts';
import { liveSessionStore, type LiveSessionStore } from './live-sessions.ts';
import { videoStore, type VideoStore } from './videos.ts';
import { webhookStore, type WebhookStore } from './webhooks.ts';
import { keyAndAvatarRead, type KeyAndAvatarRead } from './key-and-avatar.ts';

export type Dialect = 'sqlite' | 'postgres';

/** One repository per table, built once per store (or per transaction) over its fast paths. */
export interface Repositories {
  avatars: AvatarStore;
  deployments: DeploymentStore;
  apiKeys: ApiKeyStore;
  liveSessions: LiveSessionStore;
  videos: VideoStore;
  webhooks: WebhookStore;
  /** An authenticated request's key (and a get's avatar and deployment): one round trip on PostgreSQL, shared. */
  keyAndAvatar: KeyAndAvatarRead;
}

export interface Store extends Repositories {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema in use, when not the default. */
  pgSchema?: string;
  /**
   * Runs `work` in one transaction of `db`, over repositories that read its own rows (transactionFastPaths): it
   * commits when `work` resolves and rolls back when it throws.
   */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL schema to use (tests isolate themselves in one schema each). */
  databaseSchema?: string | null;
}

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'avatars.db');
}

export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.databaseSchema ?? undefined);
  return openSqlite(sqliteFile(options.dataDir));
}

function openSqlite(file: string): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL keeps readers off the writer's back; NORMAL is durable across a killed process (not a power cut).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536');
  // Kysely prepares every query anew; its SQL is parameterized, so a few statements serve every request.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const database = {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= 256) statements.delete(statements.keys().next().value!);
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
  const db = new Kysely<Database>({ dialect: raisingUnavailable(new SqliteDialect({ database })) });
  // The hot reads' connection (fast-paths.ts: sqliteReads).
  const reader = new BetterSqlite3(file, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -65536');
  return {
    ...withRepositories(db, storeFastPaths(sqliteReads(reader), true)),
    dialect: 'sqlite',
    async ping() {
      try {
        sqlite.prepare('select 1').get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
      reader.close();
    },
  };
}

function openPostgres(url: string, schema?: string): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A refused connection (database down) fails at once; this bounds only a connect that hangs. Two seconds was
    // too short for a sound database on two saturated cores (CI: three 503s before any outage).
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  // A client checked out when the database goes away emits 'error' too; unheard, it would end the process.
  // The query in flight still fails, and the request answers 503.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: raisingUnavailable(new PostgresDialect({ pool })) });
  return {
    ...withRepositories(db, storeFastPaths(postgresReads(pool), false)),
    dialect: 'postgres',
    pgSchema: schema,
    async ping() {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

function repositories(db: Kysely<Database>, fast: FastPaths): Repositories {
  const tables = {
    avatars: avatarStore(db, fast),
    deployments: deploymentStore(db, fast),
    apiKeys: apiKeyStore(db, fast),
    liveSessions: liveSessionStore(db),
    videos: videoStore(db),
    webhooks: webhookStore(db),
  };
  return { ...tables, keyAndAvatar: keyAndAvatarRead(fast, tables) };
}

function withRepositories(db: Kysely<Database>, fast: FastPaths) {
  return {
    db,
    ...repositories(db, fast),
    async transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
      const written: WrittenRows = { avatarRows: new Set(), deploymentRows: new Set() };
      try {
        return await db.transaction().execute((trx) => work(repositories(trx, transactionFastPaths(trx, written))));
      } finally {
        forgetWritten(fast, written);
      }
    },
  };
}

export async function migrate(store: Store): Promise<string[]> {
  // Kysely looks for its migration table in every schema unless told which one is ours.
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider(store.dialect),
    ...(store.pgSchema ? { migrationTableSchema: store.pgSchema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (attempt >= 5 || !otherSchemaDropped(error, store.pgSchema)) throw error;
  }
}

/**
 * Kysely's introspector checks the privileges of every schema in the database by name: another schema dropped
 * meanwhile (another deployment's, or a test's, sharing the database) fails the check with `3F000`. Nothing of ours
 * was written then (migrations run in a transaction), so it is tried again.
 */
function otherSchemaDropped(error: unknown, ours: string | undefined): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '3F000' && typeof message === 'string' && (ours === undefined || !message.includes(`"${ours}"`));
}
