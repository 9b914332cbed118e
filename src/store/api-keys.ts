import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from './schema.ts';

export interface ApiKeyRecord {
  id: string;
  secretHash: string;
  prefix: string;
  name: string | null;
  userId: string;
  organizationId: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

function fromRow(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    prefix: row.prefix,
    name: row.name,
    userId: row.user_id,
    organizationId: row.organization_id,
    scopes: JSON.parse(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function apiKeyStore(db: Kysely<Database>) {
  return {
    async insert(key: ApiKeyRecord): Promise<void> {
      await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          secret_hash: key.secretHash,
          prefix: key.prefix,
          name: key.name,
          user_id: key.userId,
          organization_id: key.organizationId,
          scopes: JSON.stringify(key.scopes),
          created_at: key.createdAt,
          expires_at: key.expiresAt,
          revoked_at: key.revokedAt,
        })
        .execute();
    },

    async findByHash(secretHash: string): Promise<ApiKeyRecord | null> {
      const row = await db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async findById(id: string): Promise<ApiKeyRecord | null> {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    /** Keys of one user, or of everyone when `userId` is omitted (the operator's CLI). */
    async list(userId?: string): Promise<ApiKeyRecord[]> {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(fromRow);
    },

    async revoke(id: string, at: string): Promise<boolean> {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async count(): Promise<number> {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type ApiKeyStore = ReturnType<typeof apiKeyStore>;
