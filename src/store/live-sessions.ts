import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface LiveSessionRecord {
  id: string;
  avatarId: string;
  /** Of the agent token, which speaks (and may watch). */
  tokenHash: string;
  /** Of the viewer token, which only watches; null for sessions started before viewer tokens. */
  viewerTokenHash: string | null;
  createdAt: string;
  expiresAt: string;
}

export function liveSessionStore(db: Kysely<Database>) {
  return {
    async insert(session: LiveSessionRecord): Promise<void> {
      await db
        .insertInto('live_sessions')
        .values({
          id: session.id,
          avatar_id: session.avatarId,
          token_hash: session.tokenHash,
          viewer_token_hash: session.viewerTokenHash,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },

    async find(id: string): Promise<LiveSessionRecord | null> {
      const row = await db.selectFrom('live_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row
        ? {
            id: row.id,
            avatarId: row.avatar_id,
            tokenHash: row.token_hash,
            viewerTokenHash: row.viewer_token_hash ?? null,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
          }
        : null;
    },

    /** Forgets sessions that expired before `now` (their tokens can no longer be used anyway). */
    async deleteExpired(now: string): Promise<void> {
      await db.deleteFrom('live_sessions').where('expires_at', '<', now).execute();
    },

    async deleteForAvatar(avatarId: string): Promise<void> {
      await db.deleteFrom('live_sessions').where('avatar_id', '=', avatarId).execute();
    },
  };
}
