import { execFile } from 'node:child_process';
import type { PartCheck, RenderingPart } from '../../contract/rendering-parts.ts';

/** A render failed because a part the renderer needs is missing; `reason` names it and says how to install it. */
export class MissingPart extends Error {
  constructor(
    readonly part: RenderingPart,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MissingPart';
  }
}

const INSTALL = "install Debian's ffmpeg, which has it (sudo apt-get install ffmpeg)";

/** Why ffmpeg cannot encode the renderer's H.264: the sentences the renderer, the API and their logs use. */
export const FFMPEG_MISSING = {
  notFound: `ffmpeg was not found on the rendering container's PATH: Tier 2/3 previews need it with libx264; ${INSTALL}.`,
  noX264: `ffmpeg on the rendering container's PATH has no libx264 encoder: Tier 2/3 previews need it; ${INSTALL}.`,
  broken: (detail: string) => `ffmpeg on the rendering container's PATH did not run (${detail}); ${INSTALL}.`,
};

/** The error of a spawn or of ffmpeg's own stderr as a MissingPart, or null when it is another failure. */
export function missingFfmpeg(error: { code?: unknown } | null, stderr = ''): MissingPart | null {
  if (error?.code === 'ENOENT') return new MissingPart('ffmpeg', FFMPEG_MISSING.notFound);
  if (error?.code === 'EACCES') return new MissingPart('ffmpeg', FFMPEG_MISSING.broken('permission denied'));
  if (/Unknown encoder 'libx264'|Encoder \(codec h264\) not found|Encoder not found/i.test(stderr)) {
    return new MissingPart('ffmpeg', FFMPEG_MISSING.noX264);
  }
  return null;
}

/** Whether `ffmpeg -hide_banner -encoders` runs and lists libx264, as the encoder (encode-mp4.ts) needs. */
export function checkFfmpeg(ffmpegPath = 'ffmpeg', timeoutMs = 15_000): Promise<PartCheck> {
  return new Promise((resolve) => {
    execFile(ffmpegPath, ['-hide_banner', '-encoders'], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      if (!error) return resolve(/\blibx264\b/.test(stdout) ? { ok: true } : { ok: false, reason: FFMPEG_MISSING.noX264 });
      const detail = error.killed ? `no answer within ${timeoutMs} ms` : error.message.split('\n')[0];
      resolve({ ok: false, reason: missingFfmpeg(error)?.reason ?? FFMPEG_MISSING.broken(detail) });
    });
  });
}
