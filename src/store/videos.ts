import { type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import type { ExpressionRequest } from '../../contract/expressions.ts';
import { jsonText, numeric, recordColumns, zeroOne } from './record-columns.ts';
import type { Database, VideoJobsTable } from './schema.ts';

export type VideoStatus = 'queued' | 'rendering' | 'completed' | 'failed';

/** What sits behind the avatar: a colour, or an uploaded image kept in the blob store. */
export type VideoBackground = { color: string } | { imageKey: string };

/** A talking-video job (issue 18): its input, as decoded when it was created, and how far it got. */
export interface VideoJobRecord {
  id: string;
  avatarId: string;
  /** Who asked for it: tenancy follows the avatar's, this says who made it. */
  userId: string;
  organizationId: string | null;
  status: VideoStatus;
  /** 0..1 while rendering; 1 once completed. */
  progress: number;
  /** 'audio' (an upload) or 'text' (spoken by the text-to-speech engine). */
  source: 'audio' | 'text';
  /** The speech as mono s16le PCM at VIDEO_SAMPLE_RATE, in the blob store: any replica can render it. */
  speechKey: string;
  expression: ExpressionRequest | null;
  background: VideoBackground | null;
  transparent: boolean;
  /** The idle motion's seed, fixed at creation so a restarted render draws the same clip. */
  seed: number;
  durationSeconds: number;
  width: number;
  height: number;
  frameRate: number;
  videoKey: string | null;
  transparentKey: string | null;
  error: string | null;
  /** Renders started (a restart after a crash counts again). */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

const VIDEO = recordColumns<VideoJobRecord, Omit<Selectable<VideoJobsTable>, 'seq' | 'lease_owner' | 'lease_until'>>({
  id: null,
  avatarId: null,
  userId: null,
  organizationId: null,
  status: null,
  progress: numeric,
  source: null,
  speechKey: null,
  expression: jsonText,
  background: jsonText,
  transparent: zeroOne,
  seed: numeric,
  durationSeconds: numeric,
  width: numeric,
  height: numeric,
  frameRate: numeric,
  videoKey: null,
  transparentKey: null,
  error: null,
  attempts: numeric,
  createdAt: null,
  updatedAt: null,
  completedAt: null,
});

/** The video_jobs table: the durable work list of the video runner, leased so two replicas never render one job. */
export function videoStore(db: Kysely<Database>) {
  return {
    async insert(job: VideoJobRecord): Promise<void> {
      await db.insertInto('video_jobs').values(VIDEO.toRow(job)).execute();
    },

    async find(id: string): Promise<VideoJobRecord | null> {
      const row = await db.selectFrom('video_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? VIDEO.fromRow(row) : null;
    },

    /** An avatar's videos, newest first (ties by creation order), and how many it has. */
    /**
     * An avatar's jobs, newest first; `afterSeq` starts the page below that seq (keyset: jobs created or deleted
     * meanwhile move no other across a page's edge). `lastSeq` is the page's last seq when another page follows.
     */
    async listForAvatar(
      avatarId: string,
      page: { limit: number; offset: number; afterSeq: number | null },
    ): Promise<{ videos: VideoJobRecord[]; count: number; lastSeq: number | null }> {
      const afterSeq = page.afterSeq;
      const [rows, counted] = await Promise.all([
        db
          .selectFrom('video_jobs')
          .selectAll()
          .where('avatar_id', '=', avatarId)
          .$if(afterSeq !== null, (qb) => qb.where('seq', '<', afterSeq as number))
          .orderBy('seq', 'desc')
          .limit(page.limit + 1)
          .$if(afterSeq === null, (qb) => qb.offset(page.offset))
          .execute(),
        db
          .selectFrom('video_jobs')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('avatar_id', '=', avatarId)
          .executeTakeFirst(),
      ]);
      const shown = rows.slice(0, page.limit);
      const lastSeq = rows.length > page.limit ? Number(shown[shown.length - 1]!.seq) : null;
      return { videos: shown.map((row) => VIDEO.fromRow(row)), count: Number(counted?.n ?? 0), lastSeq };
    },

    /** Jobs waiting for a renderer: queued, or rendering under a lease that ran out (its replica died), oldest first. */
    async findClaimable(now: string, limit: number): Promise<{ id: string; avatarId: string }[]> {
      return db
        .selectFrom('video_jobs')
        .select(['id', 'avatar_id as avatarId'])
        .where((eb) =>
          eb.or([
            eb('status', '=', 'queued'),
            eb.and([eb('status', '=', 'rendering'), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])]),
          ]),
        )
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    /** Renders of this avatar under a live lease (any replica's): the per-avatar bound counts these. */
    async countRendering(avatarId: string, now: string): Promise<number> {
      const row = await db
        .selectFrom('video_jobs')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('avatar_id', '=', avatarId)
        .where('status', '=', 'rendering')
        .where('lease_until', '>=', now)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /**
     * Takes a job to render: queued, or rendering with its lease run out, and only while its avatar has fewer than
     * `perAvatar` renders under a live lease. One transaction, and on PostgreSQL under a lock per avatar, so of two
     * replicas racing for a job (or for an avatar's last slot) one wins and the other gets null. Counts the attempt.
     */
    async claim(
      id: string,
      owner: string,
      now: string,
      until: string,
      perAvatar = Number.POSITIVE_INFINITY,
    ): Promise<VideoJobRecord | null> {
      return db.transaction().execute(async (trx) => {
        const job = await trx.selectFrom('video_jobs').select('avatar_id').where('id', '=', id).executeTakeFirst();
        if (!job) return null;
        // Two claims for one avatar wait for each other here; the count below then sees the first one's.
        if (trx.getExecutor().adapter instanceof PostgresAdapter)
          await sql`select pg_advisory_xact_lock(hashtext(${job.avatar_id}))`.execute(trx);
        const busy = await trx
          .selectFrom('video_jobs')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('avatar_id', '=', job.avatar_id)
          .where('status', '=', 'rendering')
          .where('lease_until', '>=', now)
          .where('id', '!=', id)
          .executeTakeFirst();
        if (Number(busy?.n ?? 0) >= perAvatar) return null;
        const result = await trx
          .updateTable('video_jobs')
          .set((eb) => ({ status: 'rendering', lease_owner: owner, lease_until: until, attempts: eb('attempts', '+', 1), updated_at: now }))
          .where('id', '=', id)
          .where((eb) =>
            eb.or([
              eb('status', '=', 'queued'),
              eb.and([eb('status', '=', 'rendering'), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])]),
            ]),
          )
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return null;
        const row = await trx.selectFrom('video_jobs').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? VIDEO.fromRow(row) : null;
      });
    },

    /**
     * The holder's write while it renders (progress, a renewed lease) or when it ends (completed, failed): applied only
     * while `owner` still holds the job, so a job deleted or taken over meanwhile is never written back. False then.
     */
    async updateHeld(id: string, owner: string, changes: Partial<VideoJobRecord> & { leaseUntil?: string | null }): Promise<boolean> {
      const { leaseUntil, ...fields } = changes;
      const columns = { ...VIDEO.toColumns(fields), ...(leaseUntil !== undefined ? { lease_until: leaseUntil } : {}) };
      const result = await db
        .updateTable('video_jobs')
        .set(columns)
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'rendering')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('video_jobs').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async deleteForAvatar(avatarId: string): Promise<void> {
      await db.deleteFrom('video_jobs').where('avatar_id', '=', avatarId).execute();
    },
  };
}

export type VideoStore = ReturnType<typeof videoStore>;
