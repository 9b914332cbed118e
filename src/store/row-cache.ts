import { SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Rows read by key, for SQLite only: there the API process is the database's one writer (several replicas need
 * PostgreSQL, docs/design.md), so a row stays right until this process changes it, and each store forgets a key
 * around every write to it. `null` is kept too (no such row). The generation guards a read that raced a write
 * from filling the cache with the row as it was.
 */
export interface RowCache<Row> {
  /** Reads through the cache. */
  read(key: string, load: () => Promise<Row | null>): Promise<Row | null>;
  forget(key: string): void;
  /** Runs a write to the row, forgetting it before and after (a read racing the write never keeps the old row). */
  writing<T>(key: string, write: () => Promise<T>): Promise<T>;
}

const ENTRIES = 10_000;
const caches = new WeakMap<Kysely<Database>, Map<string, RowCache<unknown>>>();
/**
 * A write inside a transaction turns caching off for good: its handle does not lead back to the caches, and it
 * commits later than this code could tell. The API itself writes no cached table inside a transaction.
 */
let disabled = false;

const passThrough: RowCache<never> = {
  read: (_key, load) => load(),
  forget: () => {},
  writing: (_key, write) => write(),
};

function makeCache<Row>(): RowCache<Row> {
  const rows = new Map<string, Row | null>();
  let generation = 0;
  return {
    async read(key, load) {
      const cached = disabled ? undefined : rows.get(key);
      if (cached !== undefined) return cached;
      const before = generation;
      const row = await load();
      if (!disabled && generation === before) {
        if (rows.size >= ENTRIES) rows.delete(rows.keys().next().value!);
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

/** The cache of one table's rows on this database, or a pass-through where caching would not be right. */
export function rowCacheOf<Row>(db: Kysely<Database>, table: string): RowCache<Row> {
  if (db.isTransaction) {
    const offForGood = () => void (disabled = true);
    return { ...passThrough, forget: offForGood, writing: (_key, write) => (offForGood(), write()) } as RowCache<Row>;
  }
  if (disabled || !(db.getExecutor().adapter instanceof SqliteAdapter)) return passThrough as RowCache<Row>;
  let tables = caches.get(db);
  if (!tables) caches.set(db, (tables = new Map()));
  let cache = tables.get(table);
  if (!cache) tables.set(table, (cache = makeCache<Row>()));
  return cache as RowCache<Row>;
}
