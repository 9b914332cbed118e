import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema in use, when not the default. */
  pgSchema?: string;
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

/**
 * The request hot path's reads (an API key, an avatar by id): fixed SQL run without building and compiling a
 * kysely query each time. `sql` uses `?` placeholders on both dialects.
 */
export interface HotReads {
  one<Row>(sql: string, params: readonly unknown[]): Promise<Row | undefined>;
  all<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
}

const hotReads = new WeakMap<Kysely<Database>, HotReads>();

/** The hot reads of a store's `db`; any other Kysely (a transaction, say) gets the same reads through kysely. */
export function hotReadsOf(db: Kysely<Database>): HotReads {
  const hot = hotReads.get(db);
  if (hot) return hot;
  const all = async <Row>(text: string, params: readonly unknown[]) => {
    const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
    return (await db.executeQuery<Row>(CompiledQuery.raw(isPostgres ? toPostgresSql(text) : text, [...params]))).rows;
  };
  return { all, one: async <Row>(text: string, params: readonly unknown[]) => (await all<Row>(text, params))[0] };
}

const postgresSql = new Map<string, string>();
/** `?` placeholders to PostgreSQL's `$1, $2…` (the hot SQL is a few fixed texts without `?` in literals). */
function toPostgresSql(text: string): string {
  let converted = postgresSql.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${++n}`);
    postgresSql.set(text, converted);
  }
  return converted;
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  // Hot reads go through a second, read-only connection: synchronous like the first, but outside kysely's
  // connection lock, and never inside a transaction the first one has open (it reads committed rows only, WAL).
  const reader = new BetterSqlite3(file, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -65536');
  // Rows come back as arrays and become objects through a function made for the statement's columns:
  // better-sqlite3 builds row objects property by property, which costs ~1 µs a column under load,
  // while an object literal of fixed shape is built in one go.
  const readStatements = new Map<string, { statement: BetterSqlite3.Statement; toRow: (values: unknown[]) => unknown }>();
  const readStatement = (text: string) => {
    let entry = readStatements.get(text);
    if (!entry) {
      const statement = reader.prepare(text).raw(true);
      const fields = statement.columns().map((column, i) => `${JSON.stringify(column.name)}: v[${i}]`);
      entry = { statement, toRow: new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => unknown };
      readStatements.set(text, entry);
    }
    return entry;
  };
  hotReads.set(db, {
    one: async <Row>(text: string, params: readonly unknown[]) => {
      const { statement, toRow } = readStatement(text);
      const values = statement.get(...params) as unknown[] | undefined;
      return (values === undefined ? undefined : toRow(values)) as Row | undefined;
    },
    all: async <Row>(text: string, params: readonly unknown[]) => {
      const { statement, toRow } = readStatement(text);
      return (statement.all(...params) as unknown[][]).map(toRow) as Row[];
    },
  });
  return {
    db,
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Straight to the pool: one round trip, as through kysely, without building and compiling the query.
  // Named, so each connection parses and plans a hot statement once (they name their columns: a column added
  // later does not change their result, which a prepared statement would refuse).
  const names = new Map<string, string>();
  const all = async <Row>(text: string, params: readonly unknown[]) => {
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = `hot_${names.size}`));
    return (await pool.query({ name, text: toPostgresSql(text), values: params as unknown[] })).rows as Row[];
  };
  hotReads.set(db, { all, one: async <Row>(text: string, params: readonly unknown[]) => (await all<Row>(text, params))[0] });
  return {
    db,
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

export async function migrate(store: Store): Promise<string[]> {
  // Kysely looks for its migration table in every schema unless told which one is ours.
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider(store.dialect),
    ...(store.pgSchema ? { migrationTableSchema: store.pgSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
