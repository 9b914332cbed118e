import type { Kysely, Selectable } from 'kysely';
import { hotReadsOf } from './database.ts';
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

const FIND_BY_HASH = `select id, secret_hash, prefix, name, user_id, organization_id, scopes, created_at, expires_at, revoked_at
  from api_keys where secret_hash = ?`;

/**
 * How long a key read for a request may be reused by the next ones. Another process's revocation (the CLI, another
 * replica) takes effect within this; this process's own revocations at once.
 */
export const KEY_CACHE_MS = 500;
const KEY_CACHE_ENTRIES = 10_000;

interface KeyCache {
  entries: Map<string, { key: ApiKeyRecord; readAt: number }>;
  /** Bumped by every revocation here, so a read that began before one is not kept. */
  generation: number;
}
const keyCaches = new WeakMap<Kysely<Database>, KeyCache>();
function keyCacheOf(db: Kysely<Database>): KeyCache {
  let cache = keyCaches.get(db);
  if (!cache) keyCaches.set(db, (cache = { entries: new Map(), generation: 0 }));
  return cache;
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
      const row = await hotReadsOf(db).one<Selectable<ApiKeysTable>>(FIND_BY_HASH, [secretHash]);
      return row ? fromRow(row) : null;
    },

    /**
     * findByHash for authenticating requests: a key found is reused for KEY_CACHE_MS (unknown secrets are always
     * read, and never fill the cache). The caller still checks revocation and expiry on the record it gets.
     */
    async findByHashForRequest(secretHash: string): Promise<ApiKeyRecord | null> {
      const cache = keyCacheOf(db);
      // Monotonic: a wall-clock step neither keeps a read forever nor hides a key's expiry (checked on Date).
      const now = performance.now();
      const cached = cache.entries.get(secretHash);
      if (cached && now - cached.readAt < KEY_CACHE_MS) return cached.key;
      const generation = cache.generation;
      const key = await this.findByHash(secretHash);
      cache.entries.delete(secretHash);
      if (key && generation === cache.generation) {
        if (cache.entries.size >= KEY_CACHE_ENTRIES) cache.entries.delete(cache.entries.keys().next().value!);
        cache.entries.set(secretHash, { key, readAt: now });
      }
      return key;
    },

    async findById(id: string): Promise<ApiKeyRecord | null> {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    /** The keys a tenant's admin manages: its organization's, or, without one, its user's orgless keys. */
    async listOfTenant(tenant: { userId: string; organizationId: string | null }): Promise<ApiKeyRecord[]> {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
      query =
        tenant.organizationId !== null
          ? query.where('organization_id', '=', tenant.organizationId)
          : query.where('organization_id', 'is', null).where('user_id', '=', tenant.userId);
      return (await query.execute()).map(fromRow);
    },

    /** Keys of one user id (in any organization), or of everyone when `userId` is omitted: the operator's CLI. */
    async list(userId?: string): Promise<ApiKeyRecord[]> {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('id');
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(fromRow);
    },

    async revoke(id: string, at: string): Promise<boolean> {
      // Forget every key read here, and drop reads still under way (they may have begun before the write).
      const forget = () => {
        const cache = keyCacheOf(db);
        cache.generation++;
        cache.entries.clear();
      };
      forget();
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      forget();
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
