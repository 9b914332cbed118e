import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { CompiledQuery, PostgresAdapter, type Kysely } from 'kysely';
import { rethrowUnreachable } from './database-unavailable.ts';
import type { Database } from './schema.ts';

/**
 * The store's measured fast paths, all in this module and all owned by one store (openStore builds them once; the
 * repositories get them as an argument):
 * - hot reads: the request path's fixed statements (a key by hash, an avatar or deployment by id, the list) run
 *   without building and compiling a kysely query each time;
 * - row caches (SQLite only): avatars and deployments read by id, kept until this process changes them.
 * Keys are never cached: a revocation holds at once on every replica (and for the CLI).
 * `npm run bench -- api` measures them (get by id over the bare route, list p99).
 */
export interface FastPaths {
  reads: HotReads;
  /** Rows as the repositories' fixed statements select them (record-columns.ts: `list`). */
  avatarRows: RowCache<object>;
  deploymentRows: RowCache<object>;
}

/** The rows a transaction wrote, by cache: the store forgets them once it has ended (transactionFastPaths). */
export interface WrittenRows {
  avatarRows: Set<string>;
  deploymentRows: Set<string>;
}

/** A store's fast paths: row caches on SQLite only (several replicas need PostgreSQL, where no process is the one writer). */
export function storeFastPaths(reads: HotReads, cacheRows: boolean): FastPaths {
  return {
    reads,
    avatarRows: cacheRows ? rowCache() : passThrough,
    deploymentRows: cacheRows ? rowCache() : passThrough,
  };
}

/**
 * The fast paths of a transaction: reads go through the transaction (they see its own rows), and nothing is cached.
 * The rows it writes are noted in `written`, for the store to forget once the transaction has ended (forgetWritten):
 * until then the caches' readers see those rows as they were, which is right whether it commits or not.
 */
export function transactionFastPaths(trx: Kysely<Database>, written: WrittenRows): FastPaths {
  const noting = (keys: Set<string>): RowCache<never> => ({
    read: (_key, load) => load(),
    forget: (key) => void keys.add(key),
    writing: (key, write) => (keys.add(key), write()),
  });
  return { reads: kyselyReads(trx), avatarRows: noting(written.avatarRows), deploymentRows: noting(written.deploymentRows) };
}

/** Drops from the store's row caches what an ended transaction wrote. */
export function forgetWritten(fast: FastPaths, written: WrittenRows): void {
  for (const key of written.avatarRows) fast.avatarRows.forget(key);
  for (const key of written.deploymentRows) fast.deploymentRows.forget(key);
}

// ---- hot reads ----

/** Fixed SQL with `?` placeholders on both dialects. */
export interface HotReads {
  one<Row>(sql: string, params: readonly unknown[]): Promise<Row | undefined>;
  all<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /**
   * Rows as arrays of values in column order, for a statement that joins several records (their columns share names)
   * to save round trips. Only where a read is a round trip (PostgreSQL's pool); absent elsewhere, where the records'
   * own reads cost as little.
   */
  arrays?(sql: string, params: readonly unknown[]): Promise<unknown[][]>;
}

/**
 * SQLite: a second, read-only connection, synchronous like the first but outside kysely's connection lock, and never
 * inside a transaction the first one has open (it reads committed rows only, WAL). Rows come back as arrays and
 * become objects through a function made for the statement's columns: better-sqlite3 builds row objects property by
 * property, which costs ~1 µs a column under load, while an object literal of fixed shape is built in one go.
 */
export function sqliteReads(reader: BetterSqlite3.Database): HotReads {
  const statements = new Map<string, { statement: BetterSqlite3.Statement; toRow: (values: unknown[]) => unknown }>();
  const statementOf = (text: string) => {
    let entry = statements.get(text);
    if (!entry) {
      const statement = reader.prepare(text).raw(true);
      const fields = statement.columns().map((column, i) => `${JSON.stringify(column.name)}: v[${i}]`);
      entry = { statement, toRow: new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => unknown };
      statements.set(text, entry);
    }
    return entry;
  };
  return {
    one: async <Row>(text: string, params: readonly unknown[]) => {
      try {
        const { statement, toRow } = statementOf(text);
        const values = statement.get(...params) as unknown[] | undefined;
        return (values === undefined ? undefined : toRow(values)) as Row | undefined;
      } catch (error) {
        rethrowUnreachable(error);
      }
    },
    all: async <Row>(text: string, params: readonly unknown[]) => {
      try {
        const { statement, toRow } = statementOf(text);
        return (statement.all(...params) as unknown[][]).map(toRow) as Row[];
      } catch (error) {
        rethrowUnreachable(error);
      }
    },
  };
}

/**
 * PostgreSQL: straight to the pool, one round trip as through kysely. Named, so each connection parses and plans a
 * hot statement once (they name their columns: a column added later does not change their result, which a prepared
 * statement would refuse).
 */
export function postgresReads(pool: pg.Pool): HotReads {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = `hot_${names.size}`));
    return name;
  };
  const all = async <Row>(text: string, params: readonly unknown[]) =>
    (await pool.query({ name: nameOf(text), text: toPostgresSql(text), values: params as unknown[] }).catch(rethrowUnreachable))
      .rows as Row[];
  const arrays = async (text: string, params: readonly unknown[]) =>
    (
      await pool
        .query<unknown[]>({ name: nameOf(text), text: toPostgresSql(text), values: params as unknown[], rowMode: 'array' })
        .catch(rethrowUnreachable)
    ).rows;
  return { all, arrays, one: async <Row>(text: string, params: readonly unknown[]) => (await all<Row>(text, params))[0] };
}

/** Any other handle (a transaction): the same SQL through kysely. */
export function kyselyReads(db: Kysely<Database>): HotReads {
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

// ---- row caches ----

/**
 * Rows read by key, for SQLite only: there the API process is the database's one writer (docs/design.md), so a row
 * stays right until this process changes it, and each repository forgets a key around every write to it. `null` is
 * kept too (no such row). The generation guards a read that raced a write from filling the cache with the row as it was.
 */
export interface RowCache<Row> {
  /** Reads through the cache. */
  read(key: string, load: () => Promise<Row | null>): Promise<Row | null>;
  forget(key: string): void;
  /** Runs a write to the row, forgetting it before and after (a read racing the write never keeps the old row). */
  writing<T>(key: string, write: () => Promise<T>): Promise<T>;
}

const ROW_CACHE_ENTRIES = 10_000;

const passThrough: RowCache<never> = {
  read: (_key, load) => load(),
  forget: () => {},
  writing: (_key, write) => write(),
};

function rowCache<Row>(): RowCache<Row> {
  const rows = new Map<string, Row | null>();
  let generation = 0;
  return {
    async read(key, load) {
      const cached = rows.get(key);
      if (cached !== undefined) return cached;
      const before = generation;
      const row = await load();
      if (generation === before) {
        if (rows.size >= ROW_CACHE_ENTRIES) rows.delete(rows.keys().next().value!);
        rows.set(key, row);
      }
      return row;
    },
    forget(key) {
      generation++;
      rows.delete(key);
    },
    async writing(key, write) {
      this.forget(key);
      try {
        return await write();
      } finally {
        this.forget(key);
      }
    },
  };
}
