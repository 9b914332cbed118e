import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../../renderer/engine/portrait-animator.ts';
import { VideoJobs } from '../../renderer/video/video-jobs.ts';
import type { VideoRequest } from '../../renderer/video/video-request.ts';
import { type PreparedPortrait, prepareAstronaut } from './astronaut-portrait.ts';
import { espeakPcm16 } from './espeak-speech.ts';

let portrait: PreparedPortrait;
let animator: PortraitAnimator;
let speech: Uint8Array;

beforeAll(async () => {
  portrait = await prepareAstronaut();
  // Small frames: these tests are about the jobs, not the picture.
  animator = createPortraitAnimator({
    image: portrait.image,
    face: portrait.face,
    config: { resolution: '128x128', frameRate: 30, idleMotion: true },
    seed: 7,
  });
  speech = new Uint8Array(espeakPcm16('One two three.', VIDEO_SAMPLE_RATE));
}, 120_000);

afterAll(async () => {
  await portrait?.cleanup();
});

function job(n: number): VideoRequest {
  return { jobId: `vid_jobs${n}`.padEnd(24, '0'), pcm: speech, expression: null, seed: null };
}

async function until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting.');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the container keeps its video renders', () => {
  it('draws at most `concurrency` at once, refuses past maxJobs, and completes them all', async () => {
    const jobs = new VideoJobs({ concurrency: 1, maxJobs: 3, maxSeconds: 60, ttlSeconds: 600 });
    try {
      const ids = [1, 2, 3].map((n) => {
        const started = jobs.start(job(n), animator);
        if (started === 'busy') throw new Error('refused');
        expect(started).toMatchObject({
          created: true,
          status: { state: 'rendering', progress: 0, width: 128, height: 128, frameRate: 30 },
        });
        return started.status.jobId;
      });
      expect(jobs.start(job(4), animator)).toBe('busy');
      // The same id again is the same job, busy or not.
      expect(jobs.start(job(1), animator)).toMatchObject({ created: false, status: { jobId: ids[0] } });

      let mostAtOnce = 0;
      await until(() => {
        // One synchronous look at every job: how many are under way right now.
        const statuses = ids.map((id) => jobs.status(id)!);
        mostAtOnce = Math.max(mostAtOnce, statuses.filter((s) => s.state === 'rendering' && s.progress > 0).length);
        return statuses.every((s) => s.state !== 'rendering');
      });
      expect(mostAtOnce).toBe(1);
      for (const id of ids) expect(jobs.status(id)).toMatchObject({ state: 'completed', progress: 1, error: null });
      // Done renders no longer count against maxJobs.
      expect(jobs.start(job(4), animator)).toMatchObject({ created: true });
    } finally {
      jobs.close();
    }
  }, 300_000);

  it('drops a finished render and its file once its time to live has passed', async () => {
    const jobs = new VideoJobs({ concurrency: 1, maxJobs: 4, maxSeconds: 60, ttlSeconds: 1 });
    try {
      const started = jobs.start(job(5), animator);
      if (started === 'busy') throw new Error('refused');
      const id = started.status.jobId;
      await until(() => jobs.status(id)?.state !== 'rendering');
      const file = jobs.file(id);
      expect(file).toHaveProperty('path');
      const mp4 = (file as { path: string }).path;
      expect(existsSync(mp4)).toBe(true);
      await until(() => jobs.status(id) === null, 30_000);
      await until(() => !existsSync(path.dirname(mp4)), 30_000);
      expect(jobs.file(id)).toBeNull();
    } finally {
      jobs.close();
    }
  }, 120_000);

  it('close() cancels what renders and removes every file', async () => {
    const jobs = new VideoJobs({ concurrency: 1, maxJobs: 4, maxSeconds: 60, ttlSeconds: 600 });
    const long = { ...job(6), pcm: new Uint8Array(VIDEO_SAMPLE_RATE * 2 * 20) };
    const started = jobs.start(long, animator);
    if (started === 'busy') throw new Error('refused');
    const waiting = jobs.start(job(7), animator);
    expect(waiting).toMatchObject({ created: true });
    await until(() => (jobs.status(started.status.jobId)?.progress ?? 0) > 0);
    expect(existsSync(path.join(jobs.root, started.status.jobId))).toBe(true);
    jobs.close();
    expect(jobs.status(started.status.jobId)).toBeNull();
    expect(jobs.active).toBe(0);
    expect(existsSync(jobs.root)).toBe(false);
    // A closed container takes no more renders.
    expect(jobs.start(job(8), animator)).toBe('busy');
  }, 120_000);
});
