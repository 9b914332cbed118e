import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { preprocessPortrait } from '../../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import type { FaceGeometry } from '../../contract/face-geometry.ts';
import type { PortraitImage } from '../../renderer/engine/portrait-animator.ts';

/** The astronaut fixture run through the real portrait preprocessing, as files and as raw pixels. */
export interface PreparedPortrait {
  dir: string;
  imagePath: string;
  facePath: string;
  image: PortraitImage;
  face: FaceGeometry;
  cleanup(): Promise<void>;
}

export async function prepareAstronaut(): Promise<PreparedPortrait> {
  const { artifact } = await preprocessPortrait(await readFile(PORTRAIT_FIXTURES.astronaut));
  const dir = await mkdtemp(path.join(tmpdir(), 'renderer-portrait-'));
  const imagePath = path.join(dir, 'image.png');
  const facePath = path.join(dir, 'face.json');
  await writeFile(imagePath, artifact.image);
  await writeFile(facePath, JSON.stringify(artifact.face));
  const { data, info } = await sharp(artifact.image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    dir,
    imagePath,
    facePath,
    image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 },
    face: artifact.face,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Rectangle [x0, y0, x1, y1] around a set of landmarks, grown by `pad` pixels (image space). */
export function landmarkBox(face: FaceGeometry, indices: number[], pad = 0): [number, number, number, number] {
  const xs = indices.map((i) => face.landmarks[i][0]);
  const ys = indices.map((i) => face.landmarks[i][1]);
  return [
    Math.floor(Math.min(...xs) - pad),
    Math.floor(Math.min(...ys) - pad),
    Math.ceil(Math.max(...xs) + pad),
    Math.ceil(Math.max(...ys) + pad),
  ];
}

/** Sum of absolute RGB differences inside a rectangle of two frames (`channels` bytes per pixel each). */
export function regionDifference(a: Uint8Array, b: Uint8Array, width: number, box: [number, number, number, number], channels = 4): number {
  let sum = 0;
  for (let y = box[1]; y <= box[3]; y++) {
    for (let x = box[0]; x <= box[2]; x++) {
      const o = (y * width + x) * channels;
      sum += Math.abs(a[o] - b[o]) + Math.abs(a[o + 1] - b[o + 1]) + Math.abs(a[o + 2] - b[o + 2]);
    }
  }
  return sum;
}

/** Mean absolute difference per channel inside a box of two RGB frames (3 bytes a pixel). */
export function meanDifference(a: Uint8Array, b: Uint8Array, width: number, box: [number, number, number, number]): number {
  const pixels = (box[2] - box[0] + 1) * (box[3] - box[1] + 1);
  return regionDifference(a, b, width, box, 3) / (pixels * 3);
}

/**
 * The largest mean difference of any frame from the first in the four 48-pixel corners of square RGB frames: the
 * portrait's background, which no animation may move.
 */
export function cornerMotion(frames: Uint8Array[], size: number): number {
  const far = size - 48;
  const corners: [number, number, number, number][] = [
    [0, 0, 47, 47],
    [far, 0, size - 1, 47],
    [0, far, 47, size - 1],
    [far, far, size - 1, size - 1],
  ];
  return Math.max(...corners.flatMap((corner) => frames.map((frame) => meanDifference(frames[0], frame, size, corner))));
}

/** Pixels in a rectangle darker than `threshold` (mean of RGB). */
export function darkPixels(
  frame: Uint8Array,
  width: number,
  box: [number, number, number, number],
  threshold: number,
  channels = 4,
): number {
  let count = 0;
  for (let y = box[1]; y <= box[3]; y++) {
    for (let x = box[0]; x <= box[2]; x++) {
      const o = (y * width + x) * channels;
      if ((frame[o] + frame[o + 1] + frame[o + 2]) / 3 < threshold) count++;
    }
  }
  return count;
}
