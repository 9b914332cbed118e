// Where a reliability run keeps its data: a fresh DATA_DIR, plus a fresh PostgreSQL schema when asked.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Scope } from '../../../src/domain/context.ts';
import { issueApiKey } from '../../../src/domain/keys/issue-api-key.ts';
import { migrate, openStore, type Store } from '../../../src/store/database.ts';
import { TEST_DATABASE_URL, type StoreKind } from '../../harness/stores.ts';

export interface DataTarget {
  kind: StoreKind;
  dataDir: string;
  /** The server's environment for this data (DATA_DIR, and DATABASE_URL/SCHEMA on PostgreSQL). */
  env: Record<string, string>;
  /** Opens the store directly (migrated), for keys and for the integrity check. */
  open(): Promise<Store>;
  makeKey(userId: string, organizationId: string | null, scopes: Scope[], expiresInDays?: number): Promise<{ id: string; key: string }>;
  remove(): Promise<void>;
}

/** `databaseUrl` defaults to the shared test PostgreSQL; a fresh schema is made in it and dropped by `remove`. */
export async function createDataTarget(kind: StoreKind, databaseUrl = TEST_DATABASE_URL): Promise<DataTarget> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-reliability-'));
  let schema: string | null = null;
  if (kind === 'postgres') {
    schema = `rel_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  const env: Record<string, string> = { DATA_DIR: dataDir, ...(schema ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}) };
  const open = async () => {
    const store = openStore({ dataDir, databaseUrl: schema ? databaseUrl : null, databaseSchema: schema });
    await migrate(store);
    return store;
  };
  return {
    kind,
    dataDir,
    env,
    open,
    async makeKey(userId, organizationId, scopes, expiresInDays) {
      const store = await open();
      try {
        const issued = await issueApiKey(store, { userId, organizationId, scopes, ...(expiresInDays ? { expiresInDays } : {}) });
        return { id: issued.id, key: issued.key };
      } finally {
        await store.close();
      }
    },
    async remove() {
      if (schema) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
