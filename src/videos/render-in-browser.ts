import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '../domain/context.ts';
import type { AvatarRecord } from '../store/avatars.ts';
import type { VideoJobRecord } from '../store/videos.ts';
import { renderBrowserVideo } from './browser/render-browser-video.ts';
import { readBlob } from './read-blob.ts';
import { VideoRenderFailed } from './video-render-failed.ts';

/**
 * A stylized_3d clip (VRM or orb), rendered in this process's headless Chromium by the SDK's own drawing, frame by
 * frame: the model and background image come out of the blob store into a scratch folder for the page to load.
 */
export async function renderInBrowser(
  services: Services,
  job: VideoJobRecord,
  avatar: AvatarRecord,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<{ mp4: Buffer; webm: Buffer | null }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'video-browser-'));
  try {
    let look: { renderStyle: 'vrm'; modelPath: string } | { renderStyle: 'orb'; orbColor: string; orbSize: number };
    if (avatar.renderStyle === 'orb') {
      look = { renderStyle: 'orb', orbColor: avatar.orbColor ?? '#22d3ee', orbSize: avatar.orbSize ?? 0.6 };
    } else {
      if (!avatar.sourceKey) throw new VideoRenderFailed('The avatar has no VRM model any more; upload one and make the video again.');
      const modelPath = path.join(dir, 'model.vrm');
      await writeFile(modelPath, await readBlob(services, avatar.sourceKey));
      look = { renderStyle: 'vrm', modelPath };
    }
    let background: { color: string } | { imagePath: string } | null = null;
    if (job.background && 'color' in job.background) background = { color: job.background.color };
    else if (job.background) {
      const imagePath = path.join(dir, `background${path.extname(job.background.imageKey)}`);
      await writeFile(imagePath, await readBlob(services, job.background.imageKey));
      background = { imagePath };
    }
    const mp4Path = path.join(dir, 'video.mp4');
    const webmPath = job.transparent ? path.join(dir, 'video.webm') : undefined;
    await renderBrowserVideo({
      avatar: look,
      pcm: await readBlob(services, job.speechKey),
      width: job.width,
      height: job.height,
      fps: job.frameRate,
      ...(job.expression ? { expression: job.expression } : {}),
      background,
      transparent: job.transparent,
      idleMotion: avatar.config.idleMotion,
      seed: job.seed,
      mp4Path,
      ...(webmPath ? { webmPath } : {}),
      signal,
      onProgress,
    });
    return { mp4: await readFile(mp4Path), webm: webmPath ? await readFile(webmPath) : null };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
