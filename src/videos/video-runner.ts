import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import { videoBlobPrefix, videoObject } from '../domain/videos/video-object.ts';
import { emitEvent } from '../domain/webhooks/emit-event.ts';
import { withEvents } from '../domain/webhooks/with-events.ts';
import { RendererUnavailable } from '../renderer-client/renderer-errors.ts';
import type { VideoJobRecord } from '../store/videos.ts';
import { renderInBrowser } from './render-in-browser.ts';
import { renderInContainer } from './render-in-container.ts';
import { VideoRenderFailed } from './video-render-failed.ts';

/** Why a render was stopped from outside: the server stops (another process takes it over), or the job went. */
type Stop = 'shutdown' | 'gone' | 'timeout';

/** How long a job waits before it is tried again when its rendering container could not be reached. */
const RETRY_MS = 3000;

/** Progress is written at most this often: every write also renews the lease. */
const PROGRESS_WRITE_MS = 500;

/**
 * The control loop's video task: claims queued jobs (and jobs whose renderer died: their lease ran out) with a lease,
 * at most `perServer` here and `perAvatar` per avatar over all replicas, and renders each in the background (a pass
 * never waits for a render). A render renews its lease as it reports progress; a job deleted meanwhile stops it.
 */
export function createVideoRunner(services: Services, log: FastifyBaseLogger) {
  const owner = `vr_${randomBytes(6).toString('hex')}`;
  const settings = services.config.videos;
  const store = services.store.videos;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;

  const leaseUntil = () => new Date(Date.now() + settings.leaseMs).toISOString();

  /**
   * The job's end, written while this runner still holds it, and its webhook event recorded in the same transaction:
   * a video that completed always has its video.completed (or failed, its video.failed), even if the process dies now.
   */
  async function finish(job: VideoJobRecord, changes: Partial<VideoJobRecord>): Promise<boolean> {
    const now = new Date().toISOString();
    return withEvents(services, async (tx) => {
      if (!(await tx.store.videos.updateHeld(job.id, owner, { ...changes, updatedAt: now, leaseUntil: null }))) return false;
      const after = await tx.store.videos.find(job.id);
      if (after && (after.status === 'completed' || after.status === 'failed')) {
        await emitEvent(tx, {
          type: after.status === 'completed' ? 'video.completed' : 'video.failed',
          organizationId: after.organizationId,
          userId: after.userId,
          data: videoObject(after, services.blobs),
        });
      }
      return true;
    });
  }

  async function render(job: VideoJobRecord, controller: AbortController): Promise<void> {
    const signal = controller.signal;
    const stop = (why: Stop) => controller.abort(why);
    const timeout = setTimeout(() => stop('timeout'), settings.renderTimeoutMs);
    let lastWrite = 0;
    let latest = job.progress;
    const heartbeat = async (progress: number, force = false) => {
      latest = Math.max(0, Math.min(0.99, progress));
      if (!force && Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
      lastWrite = Date.now();
      const held = await store.updateHeld(job.id, owner, {
        progress: latest,
        updatedAt: new Date().toISOString(),
        leaseUntil: leaseUntil(),
      });
      if (!held && !signal.aborted) stop('gone');
    };
    // A render that reports nothing for a while (a container still starting) keeps its lease all the same.
    const renew = setInterval(() => void heartbeat(latest, true).catch(() => {}), Math.max(250, settings.leaseMs / 3));
    try {
      const avatar = await services.store.avatars.findById(job.avatarId);
      if (!avatar) throw new VideoRenderFailed('The avatar was deleted.');
      const output =
        avatar.tier === 'stylized_3d'
          ? await renderInBrowser(services, job, avatar, signal, (fraction) => void heartbeat(fraction).catch(() => {}))
          : { ...(await renderInContainer(services, job, avatar, signal, (fraction) => heartbeat(fraction))), webm: null };
      signal.throwIfAborted();
      const prefix = videoBlobPrefix(job.avatarId, job.id);
      const video = await services.blobs.put(prefix, output.mp4, 'video/mp4', 'mp4');
      const webm = output.webm ? await services.blobs.put(prefix, output.webm, 'video/webm', 'webm') : null;
      const completed = await finish(job, {
        status: 'completed',
        progress: 1,
        videoKey: video.key,
        transparentKey: webm?.key ?? null,
        error: null,
        completedAt: new Date().toISOString(),
      });
      // Deleted while its files were stored: they go too. (Taken over by another replica: the files are that one's too.)
      if (!completed && !(await store.find(job.id))) await services.blobs.deletePrefix(prefix);
    } catch (error) {
      const why = signal.aborted ? (signal.reason as Stop) : null;
      if (why === 'shutdown') {
        // Let go at once: the next process (or another replica) takes the job over without waiting out the lease.
        await store.updateHeld(job.id, owner, { leaseUntil: null }).catch(() => {});
      } else if (why === 'gone') {
        if (!(await store.find(job.id))) await services.blobs.deletePrefix(videoBlobPrefix(job.avatarId, job.id));
      } else if (why === 'timeout') {
        await finish(job, {
          status: 'failed',
          error: `The render did not finish within ${settings.renderTimeoutMs} ms (VIDEO_RENDER_TIMEOUT_MS).`,
        });
      } else if (error instanceof RendererUnavailable && Date.now() - Date.parse(job.createdAt) < settings.renderTimeoutMs) {
        // The container is not there or not ready (it crashed with a killed API, it is starting): mending it is the
        // reconciler's, so this is no attempt of the render's. Tried again once the lease, set as the wait, runs out,
        // for as long as a render may take, counted from the job's creation.
        log.warn({ videoId: job.id, reason: error.reason }, 'video render will be retried');
        const retryAt = new Date(Date.now() + RETRY_MS).toISOString();
        await store
          .updateHeld(job.id, owner, { attempts: job.attempts - 1, updatedAt: new Date().toISOString(), leaseUntil: retryAt })
          .catch(() => {});
      } else {
        const sentence =
          error instanceof VideoRenderFailed || error instanceof RendererUnavailable
            ? error instanceof RendererUnavailable
              ? error.reason
              : error.message
            : (error as { code?: string }).code === 'chromium-missing'
              ? (error as Error).message
              : 'The video could not be rendered because of an internal error; make it again.';
        if (!(error instanceof VideoRenderFailed) && !(error instanceof RendererUnavailable))
          log.error({ err: error, videoId: job.id }, 'video render failed');
        await finish(job, { status: 'failed', error: sentence });
      }
    } finally {
      clearTimeout(timeout);
      clearInterval(renew);
    }
  }

  function start(job: VideoJobRecord): void {
    const controller = new AbortController();
    const done = render(job, controller)
      .catch((error) => log.error({ err: error, videoId: job.id }, 'video runner failed'))
      .finally(() => {
        running.delete(job.id);
        // A slot is free: the next queued job need not wait for the loop's timer.
        if (!stopped) services.background.wake();
      });
    running.set(job.id, { controller, done });
  }

  return {
    /** One pass: claims what this process has room for and starts rendering it; answers 0 (renders run on their own). */
    async runOnce(): Promise<number> {
      if (stopped || running.size >= settings.perServer) return 0;
      const now = new Date().toISOString();
      const candidates = await store.findClaimable(now, 32);
      for (const candidate of candidates) {
        if (stopped || running.size >= settings.perServer) break;
        if (running.has(candidate.id)) continue;
        const job = await store.claim(candidate.id, owner, now, leaseUntil(), settings.perAvatar);
        if (!job) continue;
        if (job.attempts > settings.maxAttempts) {
          await finish(job, {
            status: 'failed',
            error: `The render was tried ${settings.maxAttempts} times without finishing; make the video again.`,
          });
          continue;
        }
        start(job);
      }
      return 0;
    },

    /** Renders running in this process now. */
    get active(): number {
      return running.size;
    },

    /** Stops every render of this process and lets go of its jobs, so another process picks them up. */
    async stop(): Promise<void> {
      stopped = true;
      for (const { controller } of running.values()) controller.abort('shutdown' satisfies Stop);
      await Promise.all([...running.values()].map((entry) => entry.done));
    },
  };
}

export type VideoRunner = ReturnType<typeof createVideoRunner>;
