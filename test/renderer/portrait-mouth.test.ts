import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { darkPixels, landmarkBox, prepareAstronaut, regionDifference, type PreparedPortrait } from './astronaut-portrait.ts';
import { buildControlMesh } from '../../renderer/engine/control-mesh.ts';
import { computeCoverFit } from '../../renderer/engine/cover-fit.ts';
import { type MouthInput, poseMesh } from '../../renderer/engine/face-rig.ts';
import { STILL_POSE } from '../../renderer/engine/idle-motion.ts';
import { preprocessPortrait } from '../../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import { withClosedMouth } from '../harness/hard-portraits.ts';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../../renderer/engine/portrait-animator.ts';

type Box = [number, number, number, number];

let portrait: PreparedPortrait;
/** The lips, with room below for the jaw's drop (the astronaut at 512 is not rescaled: image = output pixels). */
let mouthBox: Box;
const still = (): PortraitAnimator =>
  createPortraitAnimator({
    image: portrait.image,
    face: portrait.face,
    config: { resolution: '512x512', frameRate: 30, idleMotion: false },
    seed: 3,
  });

const AA: MouthInput = { open: 0.8, visemes: { aa: 1 } };
const PP: MouthInput = { open: 0, consonants: { pp: 1 } };

beforeAll(async () => {
  portrait = await prepareAstronaut();
  const lips = landmarkBox(portrait.face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 3);
  mouthBox = [lips[0], lips[1], lips[2], lips[3] + Math.round((lips[3] - lips[1]) * 0.8)];
});
afterAll(() => portrait?.cleanup());

/** Pixels of the mouth's dark inside: what shows between lips that do not meet. */
const insidePixels = (frame: Uint8Array) => darkPixels(frame, 512, mouthBox, 60);

/** Teeth: bright and grey; tongue: red, darker than lip. */
function countColours(frame: Uint8Array, box: Box): { teeth: number; tongue: number } {
  let teeth = 0;
  let tongue = 0;
  for (let y = box[1]; y <= box[3]; y++) {
    for (let x = box[0]; x <= box[2]; x++) {
      const o = (y * 512 + x) * 4;
      const [r, g, b] = [frame[o], frame[o + 1], frame[o + 2]];
      const luma = (r + g + b) / 3;
      if (luma > 175 && r - g < 24 && r - b < 40) teeth++;
      if (luma > 70 && luma < 140 && r - g > 55 && r > 120) tongue++;
    }
  }
  return { teeth, tongue };
}

/**
 * The mouth opening's width in pixels: the longest run of columns that hold at least two pixels of the dark inside
 * or of teeth (a smile's opening curves, so no single row spans it), one-column gaps bridged.
 */
function mouthWidth(frame: Uint8Array, box: Box): number {
  let widest = 0;
  let run = 0;
  let gap = 0;
  for (let x = box[0] - 8; x <= box[2] + 8; x++) {
    let count = 0;
    for (let y = box[1]; y <= box[3]; y++) {
      const o = (y * 512 + x) * 4;
      const [r, g, b] = [frame[o], frame[o + 1], frame[o + 2]];
      const luma = (r + g + b) / 3;
      if (luma < 95 || (luma > 200 && r - g < 24)) count++;
    }
    if (count >= 2) {
      run += 1 + gap;
      gap = 0;
    } else if (run > 0 && gap === 0) {
      gap = 1;
    } else {
      run = 0;
      gap = 0;
    }
    widest = Math.max(widest, run);
  }
  return widest;
}

describe('the portrait mouth on the smiling astronaut', () => {
  it('draws the same bytes for the same inputs in the same order', () => {
    const sequence: (MouthInput | undefined)[] = [
      AA,
      PP,
      { open: 0.3, visemes: { ou: 1 } },
      { open: 0.2, consonants: { th: 1 } },
      undefined,
    ];
    const run = () => {
      const a = still();
      return sequence.map((mouth, k) => Buffer.from(a.frame(k / 30, mouth)));
    };
    const first = run();
    const second = run();
    first.forEach((frame, k) => expect(frame.equals(second[k])).toBe(true));
    // The same input drawn twice at the same time is the same frame.
    const a = still();
    expect(Buffer.from(a.frame(1, AA)).equals(Buffer.from(a.frame(1, AA)))).toBe(true);
  });

  it('shows the photo itself at rest: no mouth input, or a closed one', () => {
    const a = still();
    expect(Buffer.from(a.frame(0)).equals(Buffer.from(a.base))).toBe(true);
    expect(Buffer.from(a.frame(0.5, { open: 0 })).equals(Buffer.from(a.base))).toBe(true);
    // The photo shows teeth (a smile), not a dark inside.
    expect(insidePixels(a.base)).toBeLessThan(insidePixels(a.frame(1, AA)) / 10);
    expect(countColours(a.base, mouthBox).teeth).toBeGreaterThan(40);
  });

  it('closes the lips on p, b, m, even over the smile: no dark inside, no teeth between them', () => {
    const a = still();
    const open = insidePixels(a.frame(0, AA));
    const pressed = a.frame(1, PP);
    const closed = insidePixels(pressed);
    console.log(`dark pixels in the mouth: aa ${open}, pp ${closed}, rest ${insidePixels(a.base)}`);
    expect(open).toBeGreaterThan(200);
    expect(closed).toBeLessThan(10);
    // The photo's teeth are covered by the lips.
    const teeth = countColours(pressed, mouthBox).teeth;
    expect(teeth).toBeLessThan(countColours(a.base, mouthBox).teeth / 8);
    // Pressing changes the mouth but not the face around it much: the lips meet, the jaw barely moves.
    const chin = landmarkBox(portrait.face, [152, 148, 377], 2);
    expect(regionDifference(pressed, a.base, 512, chin)).toBeLessThan(regionDifference(a.frame(2, AA), a.base, 512, chin) / 4);
  });

  it('shows teeth and a tongue inside an open "aa", the tongue not on "ee"', () => {
    const a = still();
    const aa = countColours(a.frame(0, AA), mouthBox);
    const ee = countColours(a.frame(1, { open: 0.8, visemes: { ee: 1 } }), mouthBox);
    console.log(`aa: teeth ${aa.teeth}, tongue ${aa.tongue}; ee: tongue ${ee.tongue}`);
    expect(aa.teeth).toBeGreaterThan(40);
    expect(aa.tongue).toBeGreaterThan(40);
    expect(ee.tongue).toBeLessThan(aa.tongue / 3);
    // th raises the tongue's tip to the teeth.
    const th = countColours(a.frame(2, { open: 0.3, consonants: { th: 1 } }), mouthBox);
    const ih = countColours(a.frame(3, { open: 0.3, visemes: { ih: 1 } }), mouthBox);
    expect(th.tongue).toBeGreaterThan(ih.tongue + 15);
  });

  it('rounds "ou" clearly narrower than "ih", the widest', () => {
    const a = still();
    const ih = mouthWidth(a.frame(0, { open: 0.3, visemes: { ih: 1 } }), mouthBox);
    const ee = mouthWidth(a.frame(1, { open: 0.3, visemes: { ee: 1 } }), mouthBox);
    const ou = mouthWidth(a.frame(2, { open: 0.3, visemes: { ou: 1 } }), mouthBox);
    const rest = mouthWidth(a.base, mouthBox);
    console.log(`mouth opening width in pixels: ih ${ih}, ee ${ee}, rest ${rest}, ou ${ou}`);
    expect(ih).toBeGreaterThan(rest);
    expect(ih).toBeGreaterThan(ee);
    expect(ou).toBeLessThan(ih * 0.7);
  });

  it('fades from speech into the photo over a few frames, without a jump', () => {
    const a = still();
    const fps = 30;
    const total = regionDifference(a.frame(0, PP), a.base, 512, mouthBox);
    const frames: Uint8Array[] = [];
    for (let k = 0; k < 8; k++) frames.push(a.frame(1 + k / fps, k < 3 ? PP : undefined));
    const steps = frames.slice(1).map((frame, k) => regionDifference(frame, frames[k], 512, mouthBox));
    console.log(`speech -> rest: each step ${steps.map((s) => (s / total).toFixed(2)).join(' ')} of the whole change`);
    // No step between consecutive frames carries more than 60% of the change from pressed lips to the photo...
    expect(Math.max(...steps)).toBeLessThan(total * 0.6);
    // ...and it is over within a few frames: the photo's own mouth, byte for byte.
    expect(Buffer.from(frames[7]).equals(Buffer.from(a.base))).toBe(true);
  });

  it('relaxes lips held shut through a pause into the photo, as at the end of speech', () => {
    const a = still();
    let frame = a.frame(0, PP);
    expect(insidePixels(frame)).toBeLessThan(10);
    expect(regionDifference(frame, a.base, 512, mouthBox)).toBeGreaterThan(0);
    // Half a second of "closed" is a pause, not a p: the mouth is the photo's again.
    for (let k = 1; k <= 15; k++) frame = a.frame(k / 30, PP);
    expect(Buffer.from(frame).equals(Buffer.from(a.base))).toBe(true);
  });

  it('never folds a triangle over with the consonant and rounded shapes', () => {
    const mesh = buildControlMesh(portrait.face, computeCoverFit(512, 512, 512, 512, [256, 256]), 512, 512);
    const area = (xs: Float64Array, ys: Float64Array, t: number) => {
      const [a, b, c] = [mesh.triangles[t], mesh.triangles[t + 1], mesh.triangles[t + 2]];
      return (xs[b] - xs[a]) * (ys[c] - ys[a]) - (ys[b] - ys[a]) * (xs[c] - xs[a]);
    };
    const xs = new Float64Array(mesh.count);
    const ys = new Float64Array(mesh.count);
    for (const mouth of [
      PP,
      { open: 0.2, consonants: { ff: 1 } },
      { open: 0.2, consonants: { ss: 1 }, visemes: { ih: 1 } },
      { open: 0.4, consonants: { th: 1 } },
      { open: 1, visemes: { ou: 1 }, consonants: { pp: 0.5, ff: 0.5 } },
    ] as MouthInput[]) {
      poseMesh(mesh, STILL_POSE, mouth, xs, ys);
      for (let t = 0; t < mesh.triangles.length; t += 3) {
        expect(area(xs, ys, t), JSON.stringify(mouth)).toBeGreaterThanOrEqual(area(mesh.restX, mesh.restY, t) > 1 ? 0 : -1e-6);
      }
    }
  });

  it('draws teeth of its own when the photo shows none (lips closed at rest)', async () => {
    const { artifact } = await preprocessPortrait(await withClosedMouth(await readFile(PORTRAIT_FIXTURES.astronaut)));
    const { data, info } = await sharp(artifact.image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const a = createPortraitAnimator({
      image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 },
      face: artifact.face,
      config: { resolution: '512x512', frameRate: 30, idleMotion: false },
      seed: 3,
    });
    expect(countColours(a.base, mouthBox).teeth).toBeLessThan(5);
    const aa = a.frame(0, AA);
    const colours = countColours(aa, mouthBox);
    console.log(`closed-mouth photo at aa: teeth ${colours.teeth}, tongue ${colours.tongue}, dark ${insidePixels(aa)}`);
    expect(colours.teeth).toBeGreaterThan(40);
    expect(insidePixels(aa)).toBeGreaterThan(100);
    expect(Buffer.from(a.frame(1)).equals(Buffer.from(a.base))).toBe(true);
  });
});
