/**
 * The rendering container's engine: frames per second of the CPU warp at 512x512 and 1024x1024 (one JS thread),
 * idle, speaking (the mouth drawn: lips, cavity, teeth, tongue, consonant shapes, the fade to rest) and talking with
 * an emotion (speech-driven head, brows and blinks on top), and the
 * latency of a 3 s preview clip including H.264 encoding, against encoding the same number of static
 * frames with the same ffmpeg settings in the same run.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { encodeMp4 } from '../renderer/encoder/encode-mp4.ts';
import type { MouthInput } from '../renderer/engine/face-rig.ts';
import type { FaceState } from '../renderer/engine/face-state.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../renderer/engine/portrait-animator.ts';
import { SpeechMotion } from '../renderer/engine/speech-motion.ts';
import { previewFrameCount, renderPreviewClip } from '../renderer/preview-clip.ts';
import { preprocessPortrait } from '../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../test/fixtures.ts';
import { espeakPcm16 } from '../test/renderer/espeak-speech.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

const FPS = 30;

export default async function bench(report: Report): Promise<void> {
  const { artifact } = await preprocessPortrait(await readFile(PORTRAIT_FIXTURES.astronaut));
  const { data, info } = await sharp(artifact.image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const animatorAt = (resolution: string) =>
    createPortraitAnimator({
      image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 },
      face: artifact.face,
      config: { resolution, frameRate: FPS, idleMotion: true },
      seed: 1,
    });

  for (const [resolution, frames] of [
    ['512x512', 300],
    ['1024x1024', 120],
  ] as const) {
    const animator = animatorAt(resolution);
    const fps = engineFps(animator, frames);
    report({
      name: `renderer engine fps ${resolution}`,
      value: round(fps),
      unit: 'frames/s',
      note: 'idle motion, CPU warper, one JS thread',
    });
    report({
      name: `renderer engine vs real time ${resolution}`,
      value: round(fps / FPS),
      unit: 'x',
      note: `at ${FPS} fps; target >= 2x at 512x512`,
    });
    const speaking = engineFps(animator, frames, speechMouth);
    report({
      name: `renderer engine speaking vs real time ${resolution}`,
      value: round(speaking / FPS),
      unit: 'x',
      note: `${round(speaking)} frames/s with the mouth drawn (vowels, consonants, fades); target >= 4x at 512x512`,
    });
    const talking = engineFps(animator, frames, speechMouth, talkingFace());
    report({
      name: `renderer engine talking with emotion vs real time ${resolution}`,
      value: round(talking / FPS),
      unit: 'x',
      note: `${round(talking)} frames/s: speaking, plus SpeechMotion fed 10 ms slots of espeak-ng speech and a blend of two emotions; target >= 4x at 512x512`,
    });
  }

  const animator = animatorAt('512x512');
  const count = previewFrameCount(3, FPS);
  await renderPreviewClip(animator, 0.5); // warm the JIT and ffmpeg's page cache
  const preview = await bestOf(3, () => renderPreviewClip(animator, 3));
  const baseline = await bestOf(3, () => encodeMp4(staticFrames(animator.base, count), { width: 512, height: 512, fps: FPS }));
  report({ name: 'renderer preview 3s 512x512 latency', value: round(preview), unit: 'ms', note: 'animate + encode, best of 3' });
  report({
    name: 'renderer static 3s 512x512 encode (baseline)',
    value: round(baseline),
    unit: 'ms',
    note: 'same frame count and ffmpeg settings, no animation',
  });
  report({
    name: 'renderer preview vs static encode',
    value: round(preview / baseline),
    unit: 'x',
    note: 'cost of animation on top of encoding',
  });
}

function engineFps(
  animator: PortraitAnimator,
  frames: number,
  mouth: (frame: number) => MouthInput | undefined = () => undefined,
  face: (t: number) => FaceState | undefined = () => undefined,
): number {
  const target = new Uint8Array(animator.width * animator.height * 4);
  for (let i = 0; i < 30; i++) animator.frameInto(target, i / FPS, mouth(i), face(i / FPS));
  const start = performance.now();
  for (let i = 0; i < frames; i++) animator.frameInto(target, 1 + i / FPS, mouth(i), face(1 + i / FPS));
  return frames / ((performance.now() - start) / 1000);
}

/** The face of a live session that talks: every playout slot up to t fed to SpeechMotion (as live-session.ts does), happy and surprised blended. */
function talkingFace(): (t: number) => FaceState {
  const pcm = espeakPcm16('The weather was terrible yesterday. We stayed inside, and read books all afternoon. Would you like a walk?');
  const speech = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  const motion = new SpeechMotion(1);
  let slot = 0;
  return (t) => {
    for (; slot / 100 <= t; slot++) {
      const at = (slot * 160) % speech.length;
      motion.push(speech.subarray(at, at + 160), 16000, slot / 100);
    }
    return { expression: { happy: 0.6, surprised: 0.3 }, talk: motion.at(t) };
  };
}

/** A mouth that never rests: every vowel and consonant in turn, blended, with a pause every two seconds. */
function speechMouth(frame: number): MouthInput | undefined {
  if (frame % 60 >= 52) return undefined;
  const phase = (frame % 20) / 20;
  const open = 0.5 + 0.45 * Math.sin(frame * 0.7);
  return {
    open,
    visemes: {
      aa: phase < 0.3 ? 1 : 0,
      ih: phase >= 0.3 && phase < 0.5 ? 0.8 : 0,
      ou: phase >= 0.5 && phase < 0.7 ? 1 : 0,
      ee: 0.3,
      oh: 0.2,
    },
    consonants: { pp: frame % 7 === 0 ? 1 : 0, ff: frame % 11 === 0 ? 1 : 0, ss: frame % 5 === 0 ? 0.7 : 0, th: frame % 13 === 0 ? 1 : 0 },
  };
}

function* staticFrames(frame: Uint8Array, count: number): Generator<Uint8Array> {
  for (let i = 0; i < count; i++) yield frame;
}

async function bestOf(runs: number, job: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await job();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
