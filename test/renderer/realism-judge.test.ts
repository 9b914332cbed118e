// The realism bench's judge (bench/realism/face-judge.ts: face-api's 68 landmarks, not preprocessing's mesh) on
// rendered astronaut frames: it must find the face, put the mouth where preprocessing put it, see an open mouth as
// open and lips painted shut as shut, or the bench's figures mean nothing.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceJudge, type FaceJudge } from '../../bench/realism/face-judge.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../../renderer/engine/portrait-animator.ts';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { preprocessPortrait } from '../../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import { withClosedMouth } from '../harness/hard-portraits.ts';
import { landmarkBox, prepareAstronaut, type PreparedPortrait } from './astronaut-portrait.ts';

let portrait: PreparedPortrait;
let animator: PortraitAnimator;
let judge: FaceJudge;

beforeAll(async () => {
  portrait = await prepareAstronaut();
  // A 512 px portrait at 512x512 is not rescaled: frame pixels are the preprocessed image's.
  animator = createPortraitAnimator({
    image: portrait.image,
    face: portrait.face,
    config: { resolution: '512x512', frameRate: 25, idleMotion: false },
    seed: 1,
  });
  judge = await createFaceJudge();
});
afterAll(() => portrait?.cleanup());

describe('the realism judge (face-api in Node, wasm backend)', () => {
  it('finds the face with 68 landmarks, the mouth where preprocessing found it, and sees the jaw open', async () => {
    const rest = await judge.measure(animator.frame(0), animator.width, animator.height);
    const open = await judge.measure(animator.frame(0, { open: 0.9, visemes: { aa: 1 } }), animator.width, animator.height);
    expect(rest).not.toBeNull();
    expect(open).not.toBeNull();
    expect(rest!.landmarks).toHaveLength(68);
    const [x0, y0, x1, y1] = landmarkBox(portrait.face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 6);
    for (const [x, y] of rest!.landmarks.slice(48, 68)) {
      expect(x).toBeGreaterThan(x0);
      expect(x).toBeLessThan(x1);
      expect(y).toBeGreaterThan(y0);
      expect(y).toBeLessThan(y1);
    }
    expect(open!.aperture).toBeGreaterThan(rest!.aperture + 0.1);
  });

  it('reads the astronaut with its lips painted shut as less open than its smile', async () => {
    const { artifact } = await preprocessPortrait(await withClosedMouth(await readFile(PORTRAIT_FIXTURES.astronaut)));
    const { data, info } = await sharp(artifact.image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const shutAnimator = createPortraitAnimator({
      image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 },
      face: artifact.face,
      config: { resolution: '512x512', frameRate: 25, idleMotion: false },
      seed: 1,
    });
    const shut = await judge.measure(shutAnimator.base, 512, 512);
    const smile = await judge.measure(animator.base, 512, 512);
    expect(shut!.aperture).toBeLessThan(smile!.aperture * 0.6);
  });

  it('finds no face in a frame without one', async () => {
    const grey = new Uint8Array(animator.width * animator.height * 4).fill(128);
    expect(await judge.measure(grey, animator.width, animator.height)).toBeNull();
  });
});
