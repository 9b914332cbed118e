import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { type ExpressionRequest, weightsOf } from '../contract/expressions.ts';
import { encodeMp4 } from './encoder/encode-mp4.ts';
import type { FaceState } from './engine/face-state.ts';
import type { PortraitAnimator } from './engine/portrait-animator.ts';

/** Frames in a clip of `durationSeconds`: the contract promises round(duration * fps). */
export function previewFrameCount(durationSeconds: number, fps: number): number {
  return Math.max(1, Math.round(durationSeconds * fps));
}

/** An idle clip (mouth closed), showing `expression` throughout, as H.264 MP4 bytes at the animator's size and frame rate. */
export async function renderPreviewClip(
  animator: PortraitAnimator,
  durationSeconds: number,
  expression?: ExpressionRequest,
): Promise<Buffer> {
  const count = previewFrameCount(durationSeconds, animator.frameRate);
  const face: FaceState | undefined = expression ? { expression: weightsOf(expression) } : undefined;
  return encodeMp4(previewFrames(animator, count, face), { width: animator.width, height: animator.height, fps: animator.frameRate });
}

async function* previewFrames(animator: PortraitAnimator, count: number, face: FaceState | undefined): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    // Let health probes and other requests in between frames: rendering is synchronous CPU work.
    await yieldToEvents();
    yield animator.frame(i / animator.frameRate, undefined, face);
  }
}
