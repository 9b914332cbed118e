import type { FaceLighting } from './face-lighting.ts';
import type { FacePose } from './face-pose.ts';
import type { QuarterTurn } from './upright-portrait.ts';

// Thresholds measured with the project's face model on the astronaut and on hard portraits made from it
// (test/harness/hard-portraits.ts): the plain photo and its variants sit well inside each one.
/** Roll beyond which the talking head visibly leans (the astronaut: 3 degrees). */
const TILTED_ROLL = 20;
/** Yaw beyond which a 2D warp of a frontal face model shows (the astronaut: 1-4; scikit-image's profile camera man: 66). */
const TURNED_YAW = 25;
/** Lip gap over mouth width: the smiling astronaut showing her teeth measures 0.11-0.22, a dropped jaw 0.29-0.32. */
const OPEN_LIP_GAP = 0.26;
/** Eye openness: the astronaut 0.36-0.45, painted-shut eyes 0.14. */
const CLOSED_EYES = 0.2;
/** Mean luma of the face: the astronaut 134; at 30% exposure 40. */
const DARK_FACE = 50;
/** Luma spread of a face that is not dark: the astronaut 66; washed out to a quarter of its range, 13-23. */
const FLAT_FACE = 25;
/** Detail over contrast: the astronaut 0.33, a Gaussian blur of 2 px 0.18, of 3 px 0.12 (at 5 px no face is found). */
const BLURRED_FACE = 0.15;

export interface FaceFindings {
  warnings: string[];
  /** The photo's mouth is open at rest (face.json's mouthOpenAtRest): speech starts from it. */
  mouthOpenAtRest: boolean;
}

/** What preprocessing could not make good about the chosen face, in sentences for a person. */
export function describeFace(pose: FacePose, lighting: FaceLighting): FaceFindings {
  const warnings: string[] = [];
  if (Math.abs(pose.roll) > TILTED_ROLL) {
    warnings.push(
      `The head is tilted by ${Math.round(Math.abs(pose.roll))}°; the avatar keeps that tilt while it talks, so a photo with the head upright looks more natural.`,
    );
  }
  if (Math.abs(pose.yaw) > TURNED_YAW) {
    warnings.push(
      `The face is turned about ${Math.round(Math.abs(pose.yaw))}° to the side; the animation is made for a face looking at the camera and may look distorted.`,
    );
  }
  const mouthOpenAtRest = pose.lipGap > OPEN_LIP_GAP;
  if (mouthOpenAtRest) {
    warnings.push(
      'The mouth is open in the photo; speech starts from that open mouth, and a photo with the lips closed or lightly apart gives better lip-sync.',
    );
  }
  if (pose.eyeOpenness < CLOSED_EYES) {
    warnings.push("The eyes are closed in the photo; the avatar's eyes stay closed, so its blinks and gaze do not show.");
  }
  if (lighting.brightness < DARK_FACE) {
    warnings.push('The face is very dark; a brighter, evenly lit photo gives a better avatar.');
  } else if (lighting.contrast < FLAT_FACE) {
    warnings.push(
      'The face has very little contrast (washed out, hazy or overexposed); an evenly lit, sharper photo gives a better avatar.',
    );
  }
  if (lighting.sharpness < BLURRED_FACE) {
    warnings.push('The face is blurred or out of focus; a sharp photo gives a better avatar.');
  }
  return { warnings, mouthOpenAtRest };
}

/** The sentence for a portrait that was turned upright; `turned` is how far it was turned clockwise. */
export function turnedUprightWarning(turned: Exclude<QuarterTurn, 0>): string {
  const how = { 90: 'turned 90° anticlockwise', 180: 'upside down', 270: 'turned 90° clockwise' }[turned];
  return `The face was ${how} in the photo's pixels (no EXIF orientation said so); the portrait was turned upright.`;
}
