import sharp from 'sharp';
import type { DecodedPortrait } from './decode-portrait.ts';
import { LANDMARK_COUNT, MIN_FACE_WIDTH } from './face-choice.ts';
import type { DetectedFace } from './face-model.ts';
import { measureFacePose } from './face-pose.ts';
import { findSmallFaces } from './small-face-search.ts';

/** Clockwise turns, in degrees, that keep every pixel (no resampling). */
export type QuarterTurn = 0 | 90 | 180 | 270;

/** A face found with less confidence than this upright is looked for in the turned photo too. */
const CONFIDENT_SCORE = 0.8;
/**
 * Past this roll a face is taken for a photo lying on its side rather than a tilted head. The detector finds faces
 * rolled up to about 120 degrees (it turns its crop by the eye line), so 90-degree photos arrive here already found.
 */
const LYING_ROLL = 60;

export interface UprightFaces {
  /** The portrait as analysed and stored: the input, or the input turned upright. */
  portrait: DecodedPortrait;
  faces: DetectedFace[];
  /** How far the input was turned clockwise to make the face upright. */
  turned: QuarterTurn;
}

type Detect = (rgb: Buffer, width: number, height: number) => Promise<DetectedFace[]>;

/**
 * Finds the faces of a portrait whose pixels may be turned (a scan, a phone photo whose EXIF orientation was lost)
 * and turns it upright, as if its EXIF orientation had said so, or whose face is too small for the detector's view
 * of the whole photo. An upright photo with a clear face costs one detection; the three turned attempts run only
 * when no confident face is found upright, and the crops of a large photo (up to nine) only when no face big enough
 * to use is found.
 */
export async function findFacesUpright(portrait: DecodedPortrait, detect: Detect): Promise<UprightFaces> {
  let found: UprightFaces = { portrait, faces: await detectIn(portrait, detect), turned: 0 };
  if (bestScore(found.faces) < CONFIDENT_SCORE) {
    // Upside down first: the detector already copes with photos on their side (see LYING_ROLL).
    for (const turn of [180, 90, 270] as const) {
      const turned = await turnPortrait(portrait, turn);
      const faces = await detectIn(turned, detect);
      if (bestScore(faces) >= CONFIDENT_SCORE && bestScore(faces) > bestScore(found.faces)) {
        found = { portrait: turned, faces, turned: turn };
        break;
      }
    }
  }
  // No face, or one too small to use: the detector may have seen a usable face too small, so look closer before refusing.
  if (largestWidth(found.faces) < MIN_FACE_WIDTH) {
    const small = await findSmallFaces(portrait, detect);
    if (largestWidth(small) > largestWidth(found.faces)) found = { portrait, faces: small, turned: 0 };
  }
  const subject = largestFace(found.faces);
  if (!subject) return found;
  const roll = measureFacePose(subject.mesh).roll;
  if (Math.abs(roll) <= LYING_ROLL) return found;
  // Turning the photo against the face's roll, to the nearest quarter, brings the face upright.
  const turn = ((found.turned + 360 - quarterOf(roll)) % 360) as QuarterTurn;
  const upright = await turnPortrait(portrait, turn);
  const faces = await detectIn(upright, detect);
  // The turned photo should show the same face; if the detector disagrees, keep the frame it was found in.
  return largestFace(faces) ? { portrait: upright, faces, turned: turn } : found;
}

/** The portrait's pixels turned clockwise, with its sizes (oriented upload's included) swapped on a quarter turn. */
export async function turnPortrait(portrait: DecodedPortrait, turn: QuarterTurn): Promise<DecodedPortrait> {
  if (turn === 0) return portrait;
  const { width, height } = portrait;
  const rgb = await sharp(portrait.rgb, { raw: { width, height, channels: 3 } })
    .rotate(turn)
    .raw()
    .toBuffer();
  if (turn === 180) return { ...portrait, rgb };
  return {
    ...portrait,
    rgb,
    width: height,
    height: width,
    orientedWidth: portrait.orientedHeight,
    orientedHeight: portrait.orientedWidth,
  };
}

function detectIn(portrait: DecodedPortrait, detect: Detect): Promise<DetectedFace[]> {
  return detect(portrait.rgb, portrait.width, portrait.height);
}

function complete(faces: DetectedFace[]): DetectedFace[] {
  return faces.filter((face) => face.mesh.length === LANDMARK_COUNT);
}

function bestScore(faces: DetectedFace[]): number {
  return Math.max(0, ...complete(faces).map((face) => face.score));
}

function largestWidth(faces: DetectedFace[]): number {
  return largestFace(faces)?.box[2] ?? 0;
}

function largestFace(faces: DetectedFace[]): DetectedFace | undefined {
  return complete(faces).sort((a, b) => b.box[2] - a.box[2])[0];
}

function quarterOf(roll: number): number {
  return (((Math.round(roll / 90) * 90) % 360) + 360) % 360;
}
