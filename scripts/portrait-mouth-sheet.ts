/**
 * `npx tsx scripts/portrait-mouth-sheet.ts [out.png]`: a contact sheet of the astronaut's mouth, one crop per shape
 * (rest, the five vowels, the four consonants), rendered by the CPU engine at 512x512 and scaled up 3x without
 * smoothing so the edges show as they are. Writes docs/images/portrait-mouth-shapes.png by default.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { MouthInput } from '../renderer/engine/face-rig.ts';
import { MOUTH } from '../renderer/engine/landmark-indices.ts';
import { ROOT_DIR } from '../test/fixtures.ts';
import { astronautAnimator } from './astronaut-animator.ts';

/** What each crop shows: the analyzer's openness for that sound with its shape at full weight. */
const SHAPES: [string, MouthInput | undefined][] = [
  ['rest', undefined],
  ['aa', { open: 0.8, visemes: { aa: 1 } }],
  ['ih', { open: 0.3, visemes: { ih: 1 } }],
  ['ou', { open: 0.35, visemes: { ou: 1 } }],
  ['ee', { open: 0.45, visemes: { ee: 1 } }],
  ['oh', { open: 0.6, visemes: { oh: 1 } }],
  ['pp', { open: 0, consonants: { pp: 1 } }],
  ['ff', { open: 0.15, consonants: { ff: 1 } }],
  ['ss', { open: 0.15, consonants: { ss: 1 } }],
  ['th', { open: 0.3, consonants: { th: 1 } }],
];
const SCALE = 3;

const out = process.argv[2] ?? path.join(ROOT_DIR, 'docs', 'images', 'portrait-mouth-shapes.png');
const { animator, face } = await astronautAnimator();
// The crop: the lips with room for the jaw's drop below, in the fitted frame (the photo is not rescaled here).
const lm = face.landmarks;
const scale = animator.width / face.width;
const cx = ((lm[MOUTH.leftCorner][0] + lm[MOUTH.rightCorner][0]) / 2) * scale;
const cy = ((lm[MOUTH.leftCorner][1] + lm[MOUTH.rightCorner][1]) / 2) * scale;
const mouthWidth = Math.abs(lm[MOUTH.rightCorner][0] - lm[MOUTH.leftCorner][0]) * scale;
const cropW = Math.round(mouthWidth * 1.8);
const cropH = Math.round(mouthWidth * 1.2);
const left = Math.max(0, Math.round(cx - cropW / 2));
const top = Math.max(0, Math.round(cy - cropH * 0.4));
const tiles = await Promise.all(
  SHAPES.map(async ([name, mouth]) => {
    const frame = animator.frame(0, mouth);
    const tile = await sharp(Buffer.from(frame), { raw: { width: animator.width, height: animator.height, channels: 4 } })
      .extract({ left, top, width: cropW, height: cropH })
      .resize(cropW * SCALE, cropH * SCALE, { kernel: 'nearest' })
      .composite([{ input: label(name, cropW * SCALE), top: 4, left: 6 }])
      .png()
      .toBuffer();
    return tile;
  }),
);
const columns = 5;
const tileW = cropW * SCALE;
const tileH = cropH * SCALE;
await sharp({
  create: { width: tileW * columns + 4 * (columns - 1), height: tileH * 2 + 4, channels: 3, background: '#ffffff' },
})
  .composite(tiles.map((input, k) => ({ input, left: (k % columns) * (tileW + 4), top: Math.floor(k / columns) * (tileH + 4) })))
  .png()
  .toFile(out);
console.log(`wrote ${out} (${SHAPES.map(([name]) => name).join(', ')})`);

function label(text: string, width: number): Buffer {
  return Buffer.from(
    `<svg width="${width}" height="34"><text x="0" y="26" font-family="sans-serif" font-size="26" fill="#fff" stroke="#000" stroke-width="1">${text}</text></svg>`,
  );
}
