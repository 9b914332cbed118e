import type { ExpressionRequest } from './expressions.ts';

/**
 * Talking videos (issue 18; docs/videos.md): what the API's video jobs and the rendering container agree on. The API
 * decodes the user's audio (or speaks the text) to mono PCM at VIDEO_SAMPLE_RATE and asks the avatar's container to
 * render a Tier 2/3 clip; stylized_3d avatars render in the API's own headless Chromium with the same inputs.
 */

/** The speech every video is rendered from: mono, 16-bit, this rate. */
export const VIDEO_SAMPLE_RATE = 24_000;

/** The video job's id: `vid_` and 20 base62 characters. */
export const VIDEO_ID_PATTERN = /^vid_[0-9A-Za-z]{20}$/;

/** The rendering container's video routes; Bearer RENDERER_SECRET like every other route but health. */
export const RENDERER_VIDEO_PATHS = {
  /** POST RenderVideoRequest: 202 RenderVideoStatus; the same jobId again answers its status (200), not a second render. */
  videos: '/videos',
  /** GET: RenderVideoStatus, 404 for a job it does not hold. DELETE: cancels a render or drops its file (204). */
  video: (jobId: string) => `/videos/${encodeURIComponent(jobId)}`,
  /** GET: the finished MP4 (video/mp4); 409 while rendering, 404 when unknown. */
  videoFile: (jobId: string) => `/videos/${encodeURIComponent(jobId)}/mp4`,
} as const;

export interface RenderVideoRequest {
  /** The API's job id (`vid_...`): the render's identity, so a retried request never renders twice. */
  jobId: string;
  /** Mono s16le PCM at VIDEO_SAMPLE_RATE, base64. */
  pcmBase64: string;
  /** The emotion the face shows throughout (default neutral). */
  expression?: ExpressionRequest;
  /** 0 to 4294967295: the idle motion's seed (default the container's own). */
  seed?: number;
}

export interface RenderVideoStatus {
  jobId: string;
  state: 'rendering' | 'completed' | 'failed';
  /** 0..1: frames drawn over frames to draw. */
  progress: number;
  /** A sentence, when failed. */
  error: string | null;
  durationSeconds: number;
  width: number;
  height: number;
  frameRate: number;
}

/** Frames in a clip of `samples` at VIDEO_SAMPLE_RATE: the last frame covers the speech's end (duration ±1 frame). */
export function videoFrameCount(samples: number, frameRate: number): number {
  return Math.max(1, Math.ceil((samples / VIDEO_SAMPLE_RATE) * frameRate));
}
