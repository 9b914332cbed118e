import type { Kysely, Selectable } from 'kysely';
import type { FastPaths } from './fast-paths.ts';
import { jsonText, recordColumns } from './record-columns.ts';
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

export const API_KEY = recordColumns<ApiKeyRecord, Selectable<ApiKeysTable>>({
  id: null,
  secretHash: null,
  prefix: null,
  name: null,
  userId: null,
  organizationId: null,
  scopes: jsonText,
  createdAt: null,
  expiresAt: null,
  revokedAt: null,
});

const FIND_BY_HASH = `select ${API_KEY.list} from api_keys where secret_hash = ?`;

/** The api_keys table; `fast` is its store's (fast-paths.ts). */
export function apiKeyStore(db: Kysely<Database>, fast: FastPaths) {
  return {
    async insert(key: ApiKeyRecord): Promise<void> {
      await db.insertInto('api_keys').values(API_KEY.toRow(key)).execute();
    },

    async findByHash(secretHash: string): Promise<ApiKeyRecord | null> {
      const row = await fast.reads.one<object>(FIND_BY_HASH, [secretHash]);
      return row ? API_KEY.fromSelected(row) : null;
    },

    async findById(id: string): Promise<ApiKeyRecord | null> {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? API_KEY.fromRow(row) : null;
    },

    /**
     * The keys a tenant's admin manages (its organization's, or without one its user's orgless keys), newest first
     * (id breaks ties), and how many. `after` starts the page past that (createdAt, id) (keyset: keys minted or
     * revoked meanwhile move no other across a page's edge); `last` is the page's last key when another page follows.
     */
    async listOfTenant(
      tenant: { userId: string; organizationId: string | null },
      page: { limit: number; offset: number; after: { createdAt: string; id: string } | null },
    ): Promise<{ keys: ApiKeyRecord[]; count: number; last: { createdAt: string; id: string } | null }> {
      const after = page.after;
      const ofTenant = () => {
        const query = db.selectFrom('api_keys');
        return tenant.organizationId !== null
          ? query.where('organization_id', '=', tenant.organizationId)
          : query.where('organization_id', 'is', null).where('user_id', '=', tenant.userId);
      };
      const [rows, counted] = await Promise.all([
        ofTenant()
          .selectAll()
          .$if(after !== null, (qb) =>
            qb.where((eb) =>
              eb.or([eb('created_at', '<', after!.createdAt), eb.and([eb('created_at', '=', after!.createdAt), eb('id', '<', after!.id)])]),
            ),
          )
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(page.limit + 1)
          .$if(after === null, (qb) => qb.offset(page.offset))
          .execute(),
        ofTenant()
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirst(),
      ]);
      const keys = rows.slice(0, page.limit).map(API_KEY.fromRow);
      const lastShown = keys[keys.length - 1];
      const last = rows.length > page.limit && lastShown ? { createdAt: lastShown.createdAt, id: lastShown.id } : null;
      return { keys, count: Number(counted?.n ?? 0), last };
    },

    /** Keys of one user id (in any organization), or of everyone when `userId` is omitted: the operator's CLI. */
    async list(userId?: string): Promise<ApiKeyRecord[]> {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(API_KEY.fromRow);
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
