/**
 * `npx tsx scripts/portrait-emotions-sheet.ts [out.png]`: a contact sheet of the astronaut's face at each emotion
 * (contract/expressions.ts) at full intensity, at rest (top row) and speaking an open vowel (bottom row, the mouth
 * shape on top of the emotion), rendered by the CPU engine at 512x512 and scaled up 3x. Writes
 * docs/images/portrait-emotions.png by default.
 */
import path from 'node:path';
import sharp from 'sharp';
import { EMOTIONS } from '../contract/expressions.ts';
import type { MouthInput } from '../renderer/engine/face-rig.ts';
import { FACE_OVAL } from '../renderer/engine/landmark-indices.ts';
import { ROOT_DIR } from '../test/fixtures.ts';
import { astronautAnimator } from './astronaut-animator.ts';

const SCALE = 3;
const SPEAKING: MouthInput = { open: 0.5, visemes: { aa: 0.6, ee: 0.4 } };

const out = process.argv[2] ?? path.join(ROOT_DIR, 'docs', 'images', 'portrait-emotions.png');
const { animator, face } = await astronautAnimator();
// The crop: the face oval with a margin (the photo is not rescaled at its own size).
const oval = FACE_OVAL.map((i) => face.landmarks[i]);
const x0 = Math.min(...oval.map((p) => p[0]));
const x1 = Math.max(...oval.map((p) => p[0]));
const y0 = Math.min(...oval.map((p) => p[1]));
const y1 = Math.max(...oval.map((p) => p[1]));
const margin = (x1 - x0) * 0.12;
const left = Math.max(0, Math.round(x0 - margin));
const top = Math.max(0, Math.round(y0 - margin));
const cropW = Math.min(animator.width - left, Math.round(x1 - x0 + 2 * margin));
const cropH = Math.min(animator.height - top, Math.round(y1 - y0 + 2 * margin));

const tiles: Buffer[] = [];
for (const mouth of [undefined, SPEAKING]) {
  for (const emotion of EMOTIONS) {
    const face = emotion === 'neutral' ? undefined : { expression: { [emotion]: 1 } };
    const frame = animator.frame(0, mouth, face);
    const name = mouth ? `${emotion}, speaking` : emotion;
    tiles.push(
      await sharp(Buffer.from(frame), { raw: { width: animator.width, height: animator.height, channels: 4 } })
        .extract({ left, top, width: cropW, height: cropH })
        .resize(cropW * SCALE, cropH * SCALE, { kernel: 'cubic' })
        .composite([{ input: label(name, cropW * SCALE), top: 4, left: 6 }])
        .png()
        .toBuffer(),
    );
  }
}
const columns = EMOTIONS.length;
const tileW = cropW * SCALE;
const tileH = cropH * SCALE;
await sharp({ create: { width: tileW * columns + 4 * (columns - 1), height: tileH * 2 + 4, channels: 3, background: '#ffffff' } })
  .composite(tiles.map((input, k) => ({ input, left: (k % columns) * (tileW + 4), top: Math.floor(k / columns) * (tileH + 4) })))
  .png()
  .toFile(out);
console.log(`wrote ${out} (${EMOTIONS.join(', ')}; at rest and speaking)`);

function label(text: string, width: number): Buffer {
  return Buffer.from(
    `<svg width="${width}" height="34"><text x="0" y="26" font-family="sans-serif" font-size="26" fill="#fff" stroke="#000" stroke-width="1">${text}</text></svg>`,
  );
}
