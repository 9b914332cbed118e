/**
 * The rendering container's engine: frames per second of the CPU warp at 512x512 and 1024x1024 (one JS thread),
 * and the latency of a 3 s preview clip including H.264 encoding, against encoding the same number of static
 * frames with the same ffmpeg settings in the same run.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { encodeMp4 } from '../renderer/encoder/encode-mp4.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../renderer/engine/portrait-animator.ts';
import { previewFrameCount, renderPreviewClip } from '../renderer/preview-clip.ts';
import { preprocessPortrait } from '../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../test/fixtures.ts';

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

function engineFps(animator: PortraitAnimator, frames: number): number {
  const target = new Uint8Array(animator.width * animator.height * 4);
  for (let i = 0; i < 30; i++) animator.frameInto(target, i / FPS);
  const start = performance.now();
  for (let i = 0; i < frames; i++) animator.frameInto(target, 1 + i / FPS);
  return frames / ((performance.now() - start) / 1000);
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
