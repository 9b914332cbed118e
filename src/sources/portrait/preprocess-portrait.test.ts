import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { PORTRAIT_FIXTURES } from '../../../test/fixtures.ts';
import { rejectionOf } from '../../../test/harness/source-rejection.ts';
import { SourceRejected } from '../source-rejected.ts';
import { decodePortrait } from './decode-portrait.ts';
import { detectFaces, loadFaceModel } from './face-model.ts';
import { preprocessPortrait, warmUpFaceModel, type FaceGeometry } from './index.ts';

const NO_FACE = 'No human face was found in the photo; upload a portrait with one face looking at the camera.';
// MediaPipe FaceMesh indices (face_mesh_connections): iris centres, eye corners, lips, nose tip.
// "Right" is the subject's right eye: on the left of a frontal, unmirrored photo.
const RIGHT_IRIS = 468;
const RIGHT_EYE_CORNERS = [33, 133];
const LEFT_IRIS = 473;
const LEFT_EYE_CORNERS = [362, 263];
const UPPER_LIP = 13;
const LOWER_LIP = 14;
const NOSE_TIP = 1;

let astronaut: Buffer;
beforeAll(async () => {
  astronaut = await readFile(PORTRAIT_FIXTURES.astronaut);
  // The model loads once for this file; each test then runs at warm speed.
  await warmUpFaceModel();
});

const rejection = (file: Buffer) => rejectionOf(preprocessPortrait(file));

function expectPlausibleFace(face: FaceGeometry): void {
  const [x, y, w, h] = face.box;
  expect(face.landmarks).toHaveLength(478);
  for (const [px, py, pz] of face.landmarks) {
    expect(Number.isFinite(pz)).toBe(true);
    // Landmarks sit in or near the face box (the mesh may reach slightly past the clamped box).
    expect(px).toBeGreaterThanOrEqual(x - 0.1 * w);
    expect(px).toBeLessThanOrEqual(x + 1.1 * w);
    expect(py).toBeGreaterThanOrEqual(y - 0.1 * h);
    expect(py).toBeLessThanOrEqual(y + 1.1 * h);
  }
  const rightEye = face.landmarks[RIGHT_IRIS];
  const leftEye = face.landmarks[LEFT_IRIS];
  const mouth = [face.landmarks[UPPER_LIP], face.landmarks[LOWER_LIP]];
  const nose = face.landmarks[NOSE_TIP];
  expect(rightEye[0]).toBeLessThan(leftEye[0]);
  // Each iris centre lies between its own eye's corners.
  const [r1, r2] = RIGHT_EYE_CORNERS.map((i) => face.landmarks[i][0]);
  expect(rightEye[0]).toBeGreaterThan(Math.min(r1, r2));
  expect(rightEye[0]).toBeLessThan(Math.max(r1, r2));
  const [l1, l2] = LEFT_EYE_CORNERS.map((i) => face.landmarks[i][0]);
  expect(leftEye[0]).toBeGreaterThan(Math.min(l1, l2));
  expect(leftEye[0]).toBeLessThan(Math.max(l1, l2));
  // Eyes a plausible distance apart for a frontal face: a quarter to a half of the face width.
  expect(leftEye[0] - rightEye[0]).toBeGreaterThan(0.25 * w);
  expect(leftEye[0] - rightEye[0]).toBeLessThan(0.6 * w);
  for (const eye of [rightEye, leftEye]) expect(eye[1]).toBeLessThan(Math.min(mouth[0][1], mouth[1][1]));
  expect(mouth[0][1]).toBeLessThan(mouth[1][1]);
  expect(nose[0]).toBeGreaterThan(rightEye[0]);
  expect(nose[0]).toBeLessThan(leftEye[0]);
  expect(nose[1]).toBeGreaterThan(Math.max(rightEye[1], leftEye[1]));
  expect(nose[1]).toBeLessThan(mouth[1][1]);
}

describe('preprocessPortrait', () => {
  it('finds the one frontal face of the astronaut with 478 plausible landmarks', async () => {
    const { info, artifact } = await preprocessPortrait(astronaut);
    expect(info.width).toBe(512);
    expect(info.height).toBe(512);
    expect(info.face.landmarks).toBe(478);
    expect(info.face.score).toBeGreaterThanOrEqual(0.8);
    expect(info.warnings).toEqual([]);
    const [x, y, w, h] = info.face.box;
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(x + w).toBeLessThanOrEqual(512);
    expect(y + h).toBeLessThanOrEqual(512);
    // Centre-top: the face centre is in the middle third across and the upper half down.
    expect(x + w / 2).toBeGreaterThan(512 / 3);
    expect(x + w / 2).toBeLessThan((2 * 512) / 3);
    expect(y + h / 2).toBeLessThan(256);
    expect(w).toBeGreaterThan(100);

    expect(artifact.face.width).toBe(512);
    expect(artifact.face.height).toBe(512);
    expect(artifact.face.box).toEqual(info.face.box);
    expect(artifact.face.score).toBe(info.face.score);
    expectPlausibleFace(artifact.face);
    const png = await sharp(artifact.image).metadata();
    expect(png).toMatchObject({ format: 'png', width: 512, height: 512, channels: 3, depth: 'uchar' });
    // face.json is plain JSON.
    expect(JSON.parse(JSON.stringify(artifact.face))).toEqual(artifact.face);
  });

  it('rejects the cat photo: no human face', async () => {
    expect(await rejection(await readFile(PORTRAIT_FIXTURES.cat))).toBe(NO_FACE);
  });

  it('rejects the astronaut twice side by side: 2 faces', async () => {
    const twice = await sharp({ create: { width: 1024, height: 512, channels: 3, background: '#000000' } })
      .composite([
        { input: astronaut, left: 0, top: 0 },
        { input: astronaut, left: 512, top: 0 },
      ])
      .png()
      .toBuffer();
    expect(await rejection(twice)).toBe('The photo has 2 faces; upload a portrait with exactly one face.');
  });

  it('reads a JPEG with EXIF orientation 6 in oriented coordinates', async () => {
    // An upright 400x512 portrait stored turned a quarter left, with the tag that turns it back.
    const upright = await sharp(astronaut).extract({ left: 56, top: 0, width: 400, height: 512 }).png().toBuffer();
    const stored = await sharp(upright).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const storedMeta = await sharp(stored).metadata();
    expect([storedMeta.width, storedMeta.height, storedMeta.orientation]).toEqual([512, 400, 6]);

    const expected = await preprocessPortrait(upright);
    const { info, artifact } = await preprocessPortrait(stored);
    expect([info.width, info.height]).toEqual([400, 512]);
    expect([artifact.face.width, artifact.face.height]).toEqual([400, 512]);
    expect((await sharp(artifact.image).metadata()).width).toBe(400);
    // Same face place as in the upright image, within JPEG noise.
    info.face.box.forEach((value, i) => expect(Math.abs(value - expected.info.face.box[i])).toBeLessThanOrEqual(6));
    expectPlausibleFace(artifact.face);
  });

  it('downscales a large portrait, keeping the box in upload pixels and landmarks in image pixels', async () => {
    const large = await sharp(astronaut).resize(2048, 2048).jpeg({ quality: 92 }).toBuffer();
    const { info, artifact } = await preprocessPortrait(large);
    expect([info.width, info.height]).toEqual([2048, 2048]);
    expect([artifact.face.width, artifact.face.height]).toEqual([1024, 1024]);
    expect(info.warnings).toEqual(['The image was downscaled from 2048x2048 to 1024x1024 pixels for analysis and rendering.']);
    info.face.box.forEach((value, i) => expect(Math.abs(value - 2 * artifact.face.box[i])).toBeLessThanOrEqual(1));
    expectPlausibleFace(artifact.face);
  });

  it('serves concurrent calls with one model and the same answer', async () => {
    const results = await Promise.all([preprocessPortrait(astronaut), preprocessPortrait(astronaut), preprocessPortrait(astronaut)]);
    for (const { info } of results) expect(info).toEqual(results[0].info);
  });

  it('leaves no tensors behind, whatever the outcome', async () => {
    // In this thread, where the model's bookkeeping can be read (the API runs the same code in the detection thread).
    const human = await loadFaceModel();
    const cat = await readFile(PORTRAIT_FIXTURES.cat);
    const detect = async (file: Buffer) => {
      const portrait = await decodePortrait(file);
      return detectFaces(portrait.rgb, portrait.width, portrait.height);
    };
    await detect(astronaut);
    const before = human.tf.memory().numTensors as number;
    for (const file of [astronaut, cat, astronaut]) await detect(file).catch(() => undefined);
    expect(human.tf.memory().numTensors).toBe(before);
  });

  it('detects faces in the detection thread, never in the calling thread', async () => {
    const human = await loadFaceModel();
    const detect = vi.spyOn(human, 'detect');
    try {
      const { info } = await preprocessPortrait(astronaut);
      expect(info.face.landmarks).toBe(478);
      expect(detect).not.toHaveBeenCalled();
    } finally {
      detect.mockRestore();
    }
  });

  it('rejects bad inputs with a sentence, never a crash', async () => {
    expect(await rejection(Buffer.alloc(0))).toBe('The file is empty.');
    expect(await rejection(astronaut.subarray(0, astronaut.length - 100))).toBe(
      'The image is corrupt or truncated and could not be decoded.',
    );
    expect(await rejection(await sharp(astronaut).resize(32, 32).gif().toBuffer())).toBe('The file is not a PNG, JPEG or WebP image.');
  });

  it('answers any bytes, damaged images included, with a result or a SourceRejected', async () => {
    const jpeg = await sharp(astronaut).resize(128, 128).jpeg().toBuffer();
    const webp = await sharp(astronaut).resize(128, 128).webp().toBuffer();
    const damaged = fc
      .tuple(
        fc.constantFrom(astronaut, jpeg, webp),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
      )
      .map(([file, edits, cut]) => {
        const copy = Buffer.from(file);
        for (const [at, value] of edits) copy[at % copy.length] = value;
        return copy.subarray(0, Math.max(1, copy.length - (cut % 64)));
      });
    const signed = fc
      .tuple(
        fc.constantFrom(astronaut.subarray(0, 8), jpeg.subarray(0, 3), Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')),
        fc.uint8Array({ maxLength: 256 }),
      )
      .map(([head, rest]) => Buffer.concat([head, rest]));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          damaged,
          signed,
          fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
        ),
        async (file) => {
          const outcome = await preprocessPortrait(file).then(
            () => 'ok',
            (error: unknown) => error,
          );
          if (outcome !== 'ok') expect(outcome).toBeInstanceOf(SourceRejected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
