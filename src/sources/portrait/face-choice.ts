import { SourceRejected } from '../source-rejected.ts';
import type { DetectedFace } from './face-model.ts';

/** FaceMesh's 468 points plus 5 per iris: what the rendering container reads. */
export const LANDMARK_COUNT = 478;
/** Below this width (pixels of the analysed image) a face has too little detail to animate: a rejection. */
export const MIN_FACE_WIDTH = 64;
/** A face narrower than this share of the largest one is a bystander in the background, not a second subject. */
const BACKGROUND_FACE_RATIO = 0.4;
/** Scores from the model's minimum (0.5) up to this one are accepted with a warning. */
const LOW_SCORE = 0.8;
/** A face narrower than this share of the photo's short side is small in the frame: accepted with a warning. */
const SMALL_IN_FRAME = 0.15;

export const NO_FACE = 'No human face was found in the photo; upload a portrait with one face looking at the camera.';

export interface ChosenFace {
  face: DetectedFace;
  warnings: string[];
}

/**
 * Picks the one subject face of a portrait, or says in a sentence why the photo cannot be one.
 * `downscaled` tells whether width/height are smaller than the upload, for the wording only.
 */
export function chooseFace(faces: DetectedFace[], width: number, height: number, downscaled: boolean): ChosenFace {
  const found = faces.filter((face) => face.mesh.length === LANDMARK_COUNT);
  if (found.length === 0) throw new SourceRejected(NO_FACE);

  const largest = Math.max(...found.map((face) => face.box[2]));
  const subjects = found.filter((face) => face.box[2] >= MIN_FACE_WIDTH && face.box[2] >= largest * BACKGROUND_FACE_RATIO);
  if (subjects.length > 1) throw new SourceRejected(`The photo has ${subjects.length} faces; upload a portrait with exactly one face.`);
  if (subjects.length === 0) throw new SourceRejected(tooSmall(Math.round(largest), width, height, downscaled));

  const face = subjects[0];
  const warnings: string[] = [];
  const background = found.length - 1;
  if (background > 0) {
    warnings.push(
      `${background === 1 ? 'A smaller face' : `${background} smaller faces`} in the background ${background === 1 ? 'was' : 'were'} ignored.`,
    );
  }
  if (face.score < LOW_SCORE) {
    warnings.push(
      `The face was found with low confidence (${face.score.toFixed(2)}); a sharper, frontal, evenly lit photo gives a better avatar.`,
    );
  }
  if (face.box[2] < Math.min(width, height) * SMALL_IN_FRAME) {
    warnings.push('The face is small in the frame; a photo cropped closer to the head and shoulders gives a sharper avatar.');
  }
  const [x, y, w, h] = face.box;
  if (x <= 0 || y <= 0 || x + w >= width || y + h >= height) {
    warnings.push('The face touches the edge of the photo; part of it may be cut off.');
  }
  return { face, warnings };
}

function tooSmall(faceWidth: number, width: number, height: number, downscaled: boolean): string {
  const where = downscaled ? ` once the photo is scaled to ${width}x${height}` : '';
  return `The face is too small: ${faceWidth} pixels wide${where}; upload a portrait where the face is at least ${MIN_FACE_WIDTH} pixels wide.`;
}
