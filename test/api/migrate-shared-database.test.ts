/**
 * Migrations on a PostgreSQL database that other deployments (or other tests) share: their schemas come and go
 * while ours migrates. Kysely's introspector checks every schema's privileges by name, so one dropped in between
 * failed our migration with "schema ... does not exist" (a CI run saw it); migrate() tries again.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, openStore } from '../../src/store/database.ts';
import { createPgSchema, TEST_DATABASE_URL } from '../harness/stores.ts';

describe('migrate() on a shared PostgreSQL database', () => {
  it('migrates its own schema while other schemas are created and dropped', async () => {
    const churn = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await churn.connect();
    let churning = true;
    let dropped = 0;
    const loop = (async () => {
      while (churning) {
        const name = `churn_${process.pid}_${dropped}`;
        await churn.query(`create schema ${name}`);
        await churn.query(`drop schema ${name}`);
        dropped++;
      }
    })();
    const schemas = [];
    try {
      for (let i = 0; i < 8; i++) {
        const schema = await createPgSchema();
        schemas.push(schema);
        const store = openStore({ dataDir: '', databaseUrl: TEST_DATABASE_URL, databaseSchema: schema.schema });
        try {
          const applied = await migrate(store);
          expect(applied.length).toBeGreaterThan(10);
          expect(await migrate(store)).toEqual([]); // and a second run finds nothing left to do
        } finally {
          await store.close();
        }
      }
    } finally {
      churning = false;
      await loop;
      await churn.end();
      await Promise.all(schemas.map((s) => s.drop()));
    }
    expect(dropped).toBeGreaterThan(0);
  });
});
