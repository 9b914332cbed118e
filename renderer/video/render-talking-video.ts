import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { type ExpressionRequest, weightsOf } from '../../contract/expressions.ts';
import { VIDEO_SAMPLE_RATE, videoFrameCount } from '../../contract/videos.ts';
import { encodeVideo, type H264Encoder } from '../encoder/encode-video.ts';
import type { MouthInput } from '../engine/face-rig.ts';
import type { PortraitAnimator } from '../engine/portrait-animator.ts';
import { SpeechMotion } from '../engine/speech-motion.ts';
import { SpeechPlayout } from '../live/speech-playout.ts';

export interface TalkingVideoInput {
  /** Mono s16le at VIDEO_SAMPLE_RATE. */
  pcm: Uint8Array;
  expression?: ExpressionRequest | null;
  mp4Path: string;
  encoder?: H264Encoder;
  signal?: AbortSignal;
  /** Frames drawn over frames to draw, after each frame. */
  onProgress?: (fraction: number) => void;
}

const SLOT_MS = 10;
/**
 * Speech handed to the playout ahead of its clock, as a live stream hands it: the analyzer's work comes in short
 * steps, so a live session beside the render never waits long for its next frame.
 */
const FEED_SECONDS = 0.25;

/**
 * A clip of the portrait speaking `pcm`, drawn as a live session draws it but on a virtual clock: the speech plays
 * through the live path's SpeechPlayout (the same lip-sync, no jitter delay, so the mouth of the frame at t is the
 * one of the speech at t), the head moves with idle motion and SpeechMotion when the avatar's config has idle
 * motion, and the expression is held throughout. `animator` should be a fresh one (withSeed): its mouth fade keeps
 * state between frames. Frames: videoFrameCount(samples, frameRate); the MP4 carries the speech as AAC.
 */
export async function renderTalkingVideo(
  animator: PortraitAnimator,
  input: TalkingVideoInput,
): Promise<{ frames: number; durationSeconds: number }> {
  const samples = input.pcm.length >> 1;
  const count = videoFrameCount(samples, animator.frameRate);
  const frames = await encodeVideo(talkingFrames(animator, input, count), {
    width: animator.width,
    height: animator.height,
    fps: animator.frameRate,
    audio: { pcm: input.pcm, sampleRate: VIDEO_SAMPLE_RATE },
    mp4Path: input.mp4Path,
    // A portrait is a flattened photo (decode-portrait.ts): every pixel is opaque, so there is nothing to flatten.
    opaque: true,
    encoder: input.encoder,
    signal: input.signal,
  });
  return { frames, durationSeconds: samples / VIDEO_SAMPLE_RATE };
}

async function* talkingFrames(animator: PortraitAnimator, input: TalkingVideoInput, count: number): AsyncGenerator<Uint8Array> {
  const { pcm } = input;
  const playout = new SpeechPlayout({ sampleRate: VIDEO_SAMPLE_RATE, jitterMs: 0, finishAfterMs: 0, onEvent: () => {} });
  const talk = animator.idleMotion ? new SpeechMotion(animator.seed) : null;
  const expression = input.expression ? weightsOf(input.expression) : undefined;
  const feedBytes = Math.round(FEED_SECONDS * VIDEO_SAMPLE_RATE) * 2;
  // Frames drawn into two buffers in turn: encodeVideo asks for the next frame only once the pipe has taken the last
  // (it waits for 'drain'), so the buffer drawn into is free; a new megabyte per frame cost a third of the CPU in GC.
  const buffers = [0, 1].map(() => new Uint8Array(animator.width * animator.height * 4));
  let fed = 0;
  let slotAt = 0;
  let mouth: MouthInput | null = null;
  for (let i = 0; i < count; i++) {
    // Let health probes, status polls and live sessions in between frames: drawing is synchronous CPU work.
    await yieldToEvents();
    input.signal?.throwIfAborted();
    const frameMs = (i * 1000) / animator.frameRate;
    // Every slot that starts by the frame's time plays first; the frame shows the last one's mouth, as live.
    while (slotAt <= frameMs) {
      while (fed < pcm.length && fed < ((slotAt + SLOT_MS) / 1000) * VIDEO_SAMPLE_RATE * 2 + feedBytes) {
        const end = Math.min(pcm.length, fed + feedBytes);
        playout.receive(pcm.subarray(fed, end), slotAt);
        fed = end;
      }
      const slot = playout.next(slotAt);
      mouth = slot.mouth;
      talk?.push(slot.samples, VIDEO_SAMPLE_RATE, slotAt / 1000);
      slotAt += SLOT_MS;
    }
    const t = frameMs / 1000;
    const frame = animator.frameInto(buffers[i % 2], t, mouth ?? undefined, { expression, talk: talk?.at(t) });
    input.onProgress?.((i + 1) / count);
    yield frame;
  }
}
