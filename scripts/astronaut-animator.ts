/**
 * The astronaut fixture, preprocessed as an upload is, and an animator for it at the photo's own size (512x512) with
 * idle motion off: what the contact-sheet scripts render.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { createPortraitAnimator } from '../renderer/engine/portrait-animator.ts';
import { preprocessPortrait } from '../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../test/fixtures.ts';

export async function astronautAnimator() {
  const { artifact } = await preprocessPortrait(await readFile(PORTRAIT_FIXTURES.astronaut));
  const { data, info } = await sharp(artifact.image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const animator = createPortraitAnimator({
    image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 },
    face: artifact.face,
    config: { resolution: `${info.width}x${info.height}`, frameRate: 30, idleMotion: false },
    seed: 1,
  });
  return { animator, face: artifact.face };
}
