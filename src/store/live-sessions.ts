import type { Kysely, Selectable } from 'kysely';
import type { SessionEndReason, SessionMetricsSnapshot, Transport } from '../../contract/live-sessions.ts';
import { jsonText, orNull, recordColumns } from './record-columns.ts';
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
  transport: Transport;
  /** A LiveKit session's avatar participant; null for WHEP. */
  participantIdentity: string | null;
  /** Null while the session is live (as far as the API last knew). */
  endedAt: string | null;
  endReason: SessionEndReason | null;
  /** The metrics when the session was last seen by the API. */
  metrics: SessionMetricsSnapshot | null;
}

const LIVE_SESSION = recordColumns<LiveSessionRecord, Selectable<LiveSessionsTable>>({
  id: null,
  avatarId: null,
  tokenHash: null,
  viewerTokenHash: orNull,
  createdAt: null,
  expiresAt: null,
  transport: null,
  participantIdentity: orNull,
  endedAt: orNull,
  endReason: orNull,
  metrics: jsonText,
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

    /** An avatar's sessions, newest first, and how many it has. */
    /**
     * An avatar's sessions, newest first (id breaks ties); `after` starts the page past that (createdAt, id)
     * (keyset: sessions started or swept meanwhile move no other across a page's edge). `last` is the page's last
     * key when another page follows.
     */
    async listForAvatar(
      avatarId: string,
      page: { limit: number; offset: number; after: { createdAt: string; id: string } | null },
    ): Promise<{ sessions: LiveSessionRecord[]; count: number; last: { createdAt: string; id: string } | null }> {
      const after = page.after;
      const [rows, counted] = await Promise.all([
        db
          .selectFrom('live_sessions')
          .selectAll()
          .where('avatar_id', '=', avatarId)
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
        db
          .selectFrom('live_sessions')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('avatar_id', '=', avatarId)
          .executeTakeFirst(),
      ]);
      const sessions = rows.slice(0, page.limit).map((row) => LIVE_SESSION.fromRow(row));
      const lastSession = sessions[sessions.length - 1];
      const last = rows.length > page.limit && lastSession ? { createdAt: lastSession.createdAt, id: lastSession.id } : null;
      return { sessions, count: Number(counted?.n ?? 0), last };
    },

    /**
     * What the API learnt of a session: its latest metrics, or its end. An ended session's end is never rewritten.
     * True when the row changed (so an end is announced once: session.ended).
     */
    async update(id: string, changes: Partial<Pick<LiveSessionRecord, 'endedAt' | 'endReason' | 'metrics'>>): Promise<boolean> {
      const result = await db
        .updateTable('live_sessions')
        .set(LIVE_SESSION.toColumns(changes))
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Sessions the API holds as live, by id, past `afterId`: the session watcher's pages. */
    async listOpen(limit: number, afterId: string | null): Promise<LiveSessionRecord[]> {
      const rows = await db
        .selectFrom('live_sessions')
        .selectAll()
        .where('ended_at', 'is', null)
        .$if(afterId !== null, (qb) => qb.where('id', '>', afterId!))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => LIVE_SESSION.fromRow(row));
    },

    /** Ends every session of the avatar still live, with one reason (its container crashed): the ids of those it ended. */
    async endLiveOf(avatarId: string, endReason: SessionEndReason, endedAt: string): Promise<string[]> {
      const rows = await db
        .updateTable('live_sessions')
        .set({ ended_at: endedAt, end_reason: endReason })
        .where('avatar_id', '=', avatarId)
        .where('ended_at', 'is', null)
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    /** Forgets sessions that expired before `before`: their tokens open nothing, and the list keeps a day of history. */
    async deleteExpired(before: string): Promise<void> {
      await db.deleteFrom('live_sessions').where('expires_at', '<', before).execute();
    },

    async deleteForAvatar(avatarId: string): Promise<void> {
      await db.deleteFrom('live_sessions').where('avatar_id', '=', avatarId).execute();
    },
  };
}

export type LiveSessionStore = ReturnType<typeof liveSessionStore>;
