import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeCoverFit } from '../../../renderer/engine/cover-fit.ts';
import { PORTRAIT_FIXTURES, ROOT_DIR } from '../../../test/fixtures.ts';
import {
  placedOnCanvas,
  turnedInPixels,
  withBeard,
  withClosedEyes,
  withClosedMouth,
  withGlasses,
  withOpenMouth,
} from '../../../test/harness/hard-portraits.ts';
import { rejectionOf } from '../../../test/harness/source-rejection.ts';
import { measureFacePose } from './face-pose.ts';
import { preprocessPortrait, warmUpFaceModel, type FaceGeometry } from './index.ts';

// Each case runs the real face model (in its thread) once to four times: a few seconds for the file on one core.
const CAMERA_MAN = path.join(ROOT_DIR, 'test', 'fixtures', 'portraits', 'camera.png');
// MediaPipe FaceMesh: iris centres and inner lips, to compare a variant's face with the plain astronaut's.
const KEY_POINTS = [468, 473, 13, 14, 1];

let astronaut: Buffer;
let plain: FaceGeometry;
beforeAll(async () => {
  astronaut = await readFile(PORTRAIT_FIXTURES.astronaut);
  await warmUpFaceModel();
  plain = (await preprocessPortrait(astronaut)).artifact.face;
});

/** The variant's eyes, lips and nose tip lie within `tolerance` pixels of the plain astronaut's. */
function expectSameFace(face: FaceGeometry, tolerance: number): void {
  expect(face.landmarks).toHaveLength(478);
  for (const i of KEY_POINTS) {
    expect(Math.hypot(face.landmarks[i][0] - plain.landmarks[i][0], face.landmarks[i][1] - plain.landmarks[i][1])).toBeLessThan(tolerance);
  }
}

describe('preprocessPortrait on hard portraits', () => {
  it('turns a photo whose face lies turned in its pixels upright, as if EXIF had said so, and says so', async () => {
    // Non-square, so that a quarter turn shows in the sizes.
    const upright = await sharp(astronaut).extract({ left: 56, top: 0, width: 400, height: 512 }).png().toBuffer();
    const expected = await preprocessPortrait(upright);
    expect(expected.info.warnings).toEqual([]);
    const sentences = {
      90: "The face was turned 90° clockwise in the photo's pixels (no EXIF orientation said so); the portrait was turned upright.",
      180: "The face was upside down in the photo's pixels (no EXIF orientation said so); the portrait was turned upright.",
      270: "The face was turned 90° anticlockwise in the photo's pixels (no EXIF orientation said so); the portrait was turned upright.",
    };
    for (const degrees of [90, 180, 270] as const) {
      const { info, artifact } = await preprocessPortrait(await turnedInPixels(upright, degrees));
      expect(info.warnings).toEqual([sentences[degrees]]);
      expect([info.width, info.height, artifact.face.width, artifact.face.height]).toEqual([400, 512, 400, 512]);
      // The same pixels as the upright photo, so the same analysis.
      expect(artifact.face).toEqual(expected.artifact.face);
      expect(info.face).toEqual(expected.info.face);
      const [pixels, expectedPixels] = await Promise.all(
        [artifact.image, expected.artifact.image].map((png) => sharp(png).raw().toBuffer()),
      );
      expect(pixels.equals(expectedPixels)).toBe(true);
    }
  });

  it('finds a face rolled by 30° with landmarks that follow it, and warns that the head is tilted', async () => {
    const { info, artifact } = await preprocessPortrait(await turnedInPixels(astronaut, 30));
    const roll = measureFacePose(artifact.face.landmarks).roll;
    expect(roll).toBeGreaterThan(27);
    expect(roll).toBeLessThan(38);
    expect(info.warnings).toEqual([
      `The head is tilted by ${Math.round(roll)}°; the avatar keeps that tilt while it talks, so a photo with the head upright looks more natural.`,
    ]);
    // The eyes' line follows the roll too (the mesh is computed on a crop turned upright).
    const [right, left] = [artifact.face.landmarks[468], artifact.face.landmarks[473]];
    const eyeRoll = (Math.atan2(left[1] - right[1], left[0] - right[0]) * 180) / Math.PI;
    expect(Math.abs(eyeRoll - roll)).toBeLessThan(6);
  });

  it('accepts glasses and a beard drawn on the astronaut without a warning, with the face where it was', async () => {
    for (const variant of [await withGlasses(astronaut), await withBeard(astronaut)]) {
      const { info, artifact } = await preprocessPortrait(variant);
      expect(info.warnings).toEqual([]);
      expect(info.face.score).toBeGreaterThanOrEqual(0.8);
      expectSameFace(artifact.face, 6);
    }
  });

  it('says when the mouth is open at rest, and tells the renderer; a smile showing teeth is not open', async () => {
    expect(plain.mouthOpenAtRest).toBe(false);
    const { info, artifact } = await preprocessPortrait(await withOpenMouth(astronaut, 16));
    expect(info.warnings).toEqual([
      'The mouth is open in the photo; speech starts from that open mouth, and a photo with the lips closed or lightly apart gives better lip-sync.',
    ]);
    expect(artifact.face.mouthOpenAtRest).toBe(true);
    // The lower lip moved down with the jaw.
    expect(artifact.face.landmarks[14][1] - plain.landmarks[14][1]).toBeGreaterThan(5);
  });

  it('accepts a closed-mouth photo without a warning, its lips nearer than the smile', async () => {
    const { info, artifact } = await preprocessPortrait(await withClosedMouth(astronaut));
    expect(info.warnings).toEqual([]);
    expect(artifact.face.mouthOpenAtRest).toBe(false);
    expect(measureFacePose(artifact.face.landmarks).lipGap).toBeLessThan(measureFacePose(plain.landmarks).lipGap - 0.04);
    expectSameFace(artifact.face, 6);
  });

  it('says when the eyes are closed', async () => {
    const { info, artifact } = await preprocessPortrait(await withClosedEyes(astronaut));
    expect(info.warnings).toEqual(["The eyes are closed in the photo; the avatar's eyes stay closed, so its blinks and gaze do not show."]);
    expectSameFace(artifact.face, 6);
  });

  it('says when the face is turned to the side: the camera man in profile (a real photo)', async () => {
    const { info } = await preprocessPortrait(await readFile(CAMERA_MAN));
    expect(info.face.landmarks).toBe(478);
    const sideways = info.warnings.find((warning) => warning.startsWith('The face is turned about'));
    expect(sideways).toMatch(/^The face is turned about \d+° to the side; the animation is made for a face looking at the camera/);
    expect(Number(/about (\d+)°/.exec(sideways!)![1])).toBeGreaterThan(40);
  });

  it('says when the face is dark, washed out or blurred', async () => {
    const cases = [
      [
        await sharp(astronaut).linear(0.25, 0).png().toBuffer(),
        'The face is very dark; a brighter, evenly lit photo gives a better avatar.',
      ],
      [
        await sharp(astronaut).linear(0.2, 100).png().toBuffer(),
        'The face has very little contrast (washed out, hazy or overexposed); an evenly lit, sharper photo gives a better avatar.',
      ],
      [await sharp(astronaut).blur(3).png().toBuffer(), 'The face is blurred or out of focus; a sharp photo gives a better avatar.'],
    ] as const;
    for (const [photo, sentence] of cases) {
      const { info, artifact } = await preprocessPortrait(photo);
      expect(info.warnings).toEqual([sentence]);
      expectSameFace(artifact.face, 8);
    }
  });

  it('finds a small face in a large photo with a warning, and refuses one too small to animate', async () => {
    const small = await preprocessPortrait(await placedOnCanvas(astronaut, 300, 1024, 1024, 600, 100));
    expect(small.info.warnings).toEqual([
      'The face is small in the frame; a photo cropped closer to the head and shoulders gives a sharper avatar.',
    ]);
    const [x, y, w] = small.info.face.box;
    expect(w).toBeGreaterThan(64);
    // The astronaut's face, scaled by 300/512 and moved to (600, 100).
    expect(Math.abs(x + w / 2 - (600 + (224 * 300) / 512))).toBeLessThan(10);
    expect(Math.abs(y + w / 2 - (100 + (121 * 300) / 512))).toBeLessThan(12);

    // About 68 pixels wide: too small for the detector's view of the whole photo, found in a crop of it.
    const smaller = await preprocessPortrait(await placedOnCanvas(astronaut, 240, 1024, 1024, 100, 600));
    expect(smaller.info.warnings).toEqual(small.info.warnings);
    expect(Math.abs(smaller.info.face.box[0] + smaller.info.face.box[2] / 2 - (100 + (224 * 240) / 512))).toBeLessThan(10);
    expect(smaller.artifact.face.landmarks).toHaveLength(478);

    // Found the same way, and refused with its size rather than as no face at all.
    const tiny = await rejectionOf(preprocessPortrait(await placedOnCanvas(astronaut, 160, 1024, 1024, 600, 100)));
    expect(tiny).toMatch(/^The face is too small: \d+ pixels wide; upload a portrait where the face is at least 64 pixels wide\.$/);
  });

  it('keeps the face of a wide or a tall photo inside the square crop the renderer makes of it', async () => {
    const shapes = [
      { photo: await placedOnCanvas(astronaut, 512, 1024, 512, 0, 0), size: [1024, 512] },
      { photo: await placedOnCanvas(astronaut, 512, 512, 900, 0, 388), size: [512, 900] },
    ];
    for (const { photo, size } of shapes) {
      const { info, artifact } = await preprocessPortrait(photo);
      expect([info.width, info.height]).toEqual(size);
      expect(info.warnings).toEqual([]);
      const [x, y, w, h] = artifact.face.box;
      const fit = computeCoverFit(artifact.face.width, artifact.face.height, 512, 512, [x + w / 2, y + h / 2]);
      expect(fit.cropWidth).toBe(512);
      expect(x).toBeGreaterThanOrEqual(fit.cropX);
      expect(y).toBeGreaterThanOrEqual(fit.cropY);
      expect(x + w).toBeLessThanOrEqual(fit.cropX + fit.cropWidth);
      expect(y + h).toBeLessThanOrEqual(fit.cropY + fit.cropHeight);
    }
  });
});
