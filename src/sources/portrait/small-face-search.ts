import sharp from 'sharp';
import type { DecodedPortrait } from './decode-portrait.ts';
import type { DetectedFace } from './face-model.ts';

/**
 * The detector sees the whole photo shrunk to its input, so a face of 64 to 70 pixels in a 1024-pixel photo (big
 * enough to animate) is lost: measured on the astronaut placed small on a 1024x1024 canvas, a 72-pixel face is
 * found and a 68-pixel one is not. Overlapping crops of half the photo show such a face at twice the size.
 */
const LARGEST_WHOLE_VIEW = 640;
const SMALLEST_CROP = 320;

type Detect = (rgb: Buffer, width: number, height: number) => Promise<DetectedFace[]>;

/** Looks for faces in overlapping crops of a large photo, in the photo's pixels; one face seen twice counts once. */
export async function findSmallFaces(portrait: DecodedPortrait, detect: Detect): Promise<DetectedFace[]> {
  const { width, height } = portrait;
  const long = Math.max(width, height);
  if (long <= LARGEST_WHOLE_VIEW) return [];
  const side = Math.min(width, height, Math.max(SMALLEST_CROP, Math.round(long / 2)));
  const found: DetectedFace[] = [];
  for (const top of cropStarts(height, side)) {
    for (const left of cropStarts(width, side)) {
      const crop = await sharp(portrait.rgb, { raw: { width, height, channels: 3 } })
        .extract({ left, top, width: side, height: side })
        .raw()
        .toBuffer();
      for (const face of await detect(crop, side, side)) found.push(moved(face, left, top));
    }
  }
  return withoutRepeats(found);
}

/** Crop positions half a crop apart, the last one flush with the far edge, so every face of up to half a crop fits one. */
function cropStarts(size: number, side: number): number[] {
  const count = Math.ceil((size - side) / (side / 2)) + 1;
  if (count <= 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round(((size - side) * i) / (count - 1)));
}

function moved(face: DetectedFace, left: number, top: number): DetectedFace {
  return {
    box: [face.box[0] + left, face.box[1] + top, face.box[2], face.box[3]],
    score: face.score,
    mesh: face.mesh.map(([x, y, z]) => [x + left, y + top, z]),
  };
}

/** The best-scored sighting of each face: a face whose centre lies in a kept face's box is that face again. */
function withoutRepeats(faces: DetectedFace[]): DetectedFace[] {
  const kept: DetectedFace[] = [];
  for (const face of [...faces].sort((a, b) => b.score - a.score || b.box[2] - a.box[2])) {
    const cx = face.box[0] + face.box[2] / 2;
    const cy = face.box[1] + face.box[3] / 2;
    const seen = kept.some(({ box: [x, y, w, h] }) => cx >= x && cx <= x + w && cy >= y && cy <= y + h);
    if (!seen) kept.push(face);
  }
  return kept;
}
