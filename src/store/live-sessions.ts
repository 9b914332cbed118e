import type { Kysely, Selectable } from 'kysely';
import { orNull, recordColumns } from './record-columns.ts';
import type { Database, LiveSessionsTable } from './schema.ts';

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

const LIVE_SESSION = recordColumns<LiveSessionRecord, Selectable<LiveSessionsTable>>({
  id: null,
  avatarId: null,
  tokenHash: null,
  viewerTokenHash: orNull,
  createdAt: null,
  expiresAt: null,
});

export function liveSessionStore(db: Kysely<Database>) {
  return {
    async insert(session: LiveSessionRecord): Promise<void> {
      await db.insertInto('live_sessions').values(LIVE_SESSION.toRow(session)).execute();
    },

    async find(id: string): Promise<LiveSessionRecord | null> {
      const row = await db.selectFrom('live_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? LIVE_SESSION.fromRow(row) : null;
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

export type LiveSessionStore = ReturnType<typeof liveSessionStore>;
