import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use: the machine's own, trust auth (override with TEST_DATABASE_URL). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres';

/** Every API test runs once per store: the same suite proves both. */
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

/** A fresh PostgreSQL schema for one test server, dropped when it closes. */
export async function createPgSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
