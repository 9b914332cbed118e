import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RenderVideoStatus } from '../../contract/videos.ts';
import { VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { probeH264Encoder } from '../encoder/encode-video.ts';
import type { PortraitAnimator } from '../engine/portrait-animator.ts';
import { renderTalkingVideo } from './render-talking-video.ts';
import type { VideoConfig } from './video-config.ts';
import type { VideoRequest } from './video-request.ts';

interface Job {
  status: RenderVideoStatus;
  dir: string;
  mp4Path: string;
  controller: AbortController;
  /** When a finished job is dropped (ms since the epoch); null while it renders. */
  expiresAt: number | null;
}

/**
 * The container's talking-video renders, by the API's job id: each renders into its own folder under one temporary
 * folder, at most `concurrency` at once (the rest wait their turn, shown as rendering with progress 0), and is kept
 * `ttlSeconds` once finished for the API to fetch, then dropped. Everything lives in this process: a renderer that
 * restarts forgets its renders, and the API asks again (the same job id).
 */
export class VideoJobs {
  private readonly jobs = new Map<string, Job>();
  private folder: string | null = null;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  // A process that exits without close() still leaves no files behind.
  private readonly removeRoot = () => {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  };

  constructor(private readonly config: VideoConfig) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60, config.ttlSeconds) * 1000);
    this.sweeper.unref();
  }

  /** The temporary folder that holds every render's files, made with the first render. */
  get root(): string {
    if (!this.folder) {
      this.folder = mkdtempSync(path.join(tmpdir(), 'renderer-videos-'));
      process.once('exit', this.removeRoot);
    }
    return this.folder;
  }

  /** Renders being drawn or waiting to be. */
  get active(): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.status.state === 'rendering') count++;
    return count;
  }

  status(jobId: string): RenderVideoStatus | null {
    const job = this.jobs.get(jobId);
    return job ? { ...job.status } : null;
  }

  /** The finished MP4's path, or the job's status when it has none (null: unknown job). */
  file(jobId: string): { path: string } | { status: RenderVideoStatus } | null {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    return job.status.state === 'completed' ? { path: job.mp4Path } : { status: { ...job.status } };
  }

  /**
   * Starts a render; a job id it already holds answers that job (created false) and renders nothing. Throws 'busy'
   * when maxJobs renders are under way.
   */
  start(request: VideoRequest, animator: PortraitAnimator): { status: RenderVideoStatus; created: boolean } | 'busy' {
    const held = this.jobs.get(request.jobId);
    if (held) return { status: { ...held.status }, created: false };
    if (this.closed || this.active >= this.config.maxJobs) return 'busy';
    const seeded = animator.withSeed(request.seed ?? animator.seed);
    const dir = path.join(this.root, request.jobId);
    mkdirSync(dir, { recursive: true });
    const job: Job = {
      status: {
        jobId: request.jobId,
        state: 'rendering',
        progress: 0,
        error: null,
        durationSeconds: request.pcm.length / 2 / VIDEO_SAMPLE_RATE,
        width: seeded.width,
        height: seeded.height,
        frameRate: seeded.frameRate,
      },
      dir,
      mp4Path: path.join(dir, 'video.mp4'),
      controller: new AbortController(),
      expiresAt: null,
    };
    this.jobs.set(request.jobId, job);
    void this.render(job, request, seeded);
    return { status: { ...job.status }, created: true };
  }

  /** Cancels a render or drops a finished one and its file; false when it held no such job. */
  async drop(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    this.jobs.delete(jobId);
    job.controller.abort(new Error('The render was cancelled.'));
    await rm(job.dir, { recursive: true, force: true });
    return true;
  }

  /** Cancels every render and removes every file (the server is closing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const job of this.jobs.values()) job.controller.abort(new Error('The renderer is stopping.'));
    this.jobs.clear();
    process.off('exit', this.removeRoot);
    this.removeRoot();
  }

  private async render(job: Job, request: VideoRequest, animator: PortraitAnimator): Promise<void> {
    const { signal } = job.controller;
    try {
      await this.turn(signal);
      try {
        signal.throwIfAborted();
        await renderTalkingVideo(animator, {
          pcm: request.pcm,
          expression: request.expression,
          mp4Path: job.mp4Path,
          encoder: await probeH264Encoder(),
          signal,
          onProgress: (fraction) => {
            // Complete only once the file is whole.
            job.status.progress = Math.min(0.99, fraction);
          },
        });
        signal.throwIfAborted();
        job.status.progress = 1;
        job.status.state = 'completed';
      } finally {
        this.leave();
      }
    } catch (error) {
      if (signal.aborted) return; // dropped: nothing is kept
      job.status.state = 'failed';
      job.status.error = sentence((error as Error).message ?? String(error));
      process.stderr.write(`${JSON.stringify({ event: 'video-failed', jobId: job.status.jobId, message: job.status.error })}\n`);
      await rm(job.mp4Path, { force: true }).catch(() => {});
    }
    job.expiresAt = Date.now() + this.config.ttlSeconds * 1000;
  }

  /** Waits for a free render slot (bounded by `concurrency`); rejects if the job is dropped meanwhile. */
  private turn(signal: AbortSignal): Promise<void> {
    if (this.running < this.config.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', cancel);
        this.running++;
        resolve();
      };
      const cancel = () => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', cancel, { once: true });
      this.waiting.push(go);
    });
  }

  private leave(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [jobId, job] of this.jobs) {
      if (job.expiresAt !== null && job.expiresAt <= now) void this.drop(jobId);
    }
  }
}

function sentence(message: string): string {
  const text = message.trim() || 'The render failed.';
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
