import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { darkPixels, landmarkBox, prepareAstronaut, regionDifference, type PreparedPortrait } from './astronaut-portrait.ts';
import { parseFaceGeometry } from '../../contract/face-geometry.ts';
import { LEFT_EYE, MOUTH, RIGHT_EYE } from '../../renderer/engine/landmark-indices.ts';
import type { RenderConfig } from '../../contract/render-config.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../../renderer/engine/portrait-animator.ts';

let portrait: PreparedPortrait;
const config: RenderConfig = { resolution: '512x512', frameRate: 30, idleMotion: true };
const animate = (overrides: Partial<RenderConfig> = {}, seed = 11): PortraitAnimator =>
  createPortraitAnimator({ image: portrait.image, face: portrait.face, config: { ...config, ...overrides }, seed });

beforeAll(async () => {
  portrait = await prepareAstronaut();
});
afterAll(() => portrait?.cleanup());

const eyeIndices = (eye: typeof RIGHT_EYE) => [eye.outerCorner, eye.innerCorner, ...eye.upperLid, ...eye.lowerLid];

describe('createPortraitAnimator on the preprocessed astronaut', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other frames', () => {
    const a = animate();
    const b = animate();
    const c = animate({}, 12);
    let seedsDiffer = false;
    for (const t of [0, 0.7, 1.9, 4.2]) {
      expect(Buffer.from(a.frame(t)).equals(Buffer.from(b.frame(t)))).toBe(true);
      if (!Buffer.from(a.frame(t)).equals(Buffer.from(c.frame(t)))) seedsDiffer = true;
    }
    expect(seedsDiffer).toBe(true);
    // Asking for frames out of order does not change them.
    expect(Buffer.from(animate().frame(4.2)).equals(Buffer.from(a.frame(4.2)))).toBe(true);
  });

  it('keeps every pixel far from the face byte-identical to the source photo', () => {
    const a = animate();
    const { width } = a;
    const [x0, y0, x1, y1] = portrait.face.box;
    const cx = x0 + x1 / 2;
    const cy = y0 + y1 / 2;
    let farPixels = 0;
    for (const t of [0, 0.5, 1.3, 2.6, 3.3, 5.1]) {
      const frame = a.frame(t, { open: 0.6 });
      let moved = 0;
      for (let y = 0; y < a.height; y++) {
        for (let x = 0; x < width; x++) {
          // A 512 px portrait at 512x512 is not rescaled, so output pixels are source pixels.
          const far = Math.hypot((x - cx) / x1, (y - cy) / y1) > 1.6 || y > cy + 3.2 * y1;
          if (!far) continue;
          farPixels++;
          const o = (y * width + x) * 4;
          const s = (y * width + x) * 3;
          if (
            frame[o] !== portrait.image.data[s] ||
            frame[o + 1] !== portrait.image.data[s + 1] ||
            frame[o + 2] !== portrait.image.data[s + 2] ||
            frame[o + 3] !== 255
          )
            moved++;
        }
      }
      expect(moved).toBe(0);
    }
    expect(farPixels).toBeGreaterThan(6 * 100_000);
    // ...while the face itself does move.
    const face = landmarkBox(portrait.face, [10, 152, 234, 454]);
    expect(regionDifference(a.frame(0.3), a.frame(2.5), width, face)).toBeGreaterThan(0);
  });

  it('closes both eyes fully at a blink peak: the dark iris disappears and the skin covers it', () => {
    const a = animate();
    const [first] = a.blinkSchedule(6);
    expect(first.start).toBeLessThan(2);
    expect(first.duration).toBeGreaterThanOrEqual(0.1);
    expect(first.duration).toBeLessThanOrEqual(0.15);
    const peak = first.start + first.duration * 0.45;
    const open = a.frame(first.start - 0.05);
    const closed = a.frame(peak);
    for (const eye of [RIGHT_EYE, LEFT_EYE]) {
      const box = landmarkBox(portrait.face, eyeIndices(eye));
      expect(regionDifference(open, closed, a.width, box)).toBeGreaterThan(2000);
      // Iris pixels are the darkest; a closed lid keeps only a thin lash line, lighter than that.
      const darkOpen = darkPixels(open, a.width, box, 50);
      expect(darkOpen).toBeGreaterThan(8);
      expect(darkPixels(closed, a.width, box, 50)).toBeLessThan(darkOpen / 4);
    }
    // Open again after the blink.
    const after = a.frame(first.start + first.duration + 0.01);
    const box = landmarkBox(portrait.face, eyeIndices(RIGHT_EYE));
    expect(darkPixels(after, a.width, box, 50)).toBeGreaterThan(8);
  });

  it('blinks at irregular intervals between two and six seconds, sometimes doubled', () => {
    const blinks = animate({}, 5).blinkSchedule(600);
    const gaps = blinks.slice(1).map((b, k) => b.start - blinks[k].start);
    expect(Math.min(...gaps)).toBeLessThan(0.5);
    expect(Math.max(...gaps)).toBeLessThan(6.3);
    expect(new Set(gaps.map((g) => g.toFixed(2))).size).toBeGreaterThan(gaps.length / 2);
    expect(gaps.filter((g) => g >= 2).length).toBeGreaterThan(gaps.length / 2);
  });

  it('stands still with idleMotion off: every frame is the fitted photo', () => {
    const a = animate({ idleMotion: false });
    const first = a.frame(0);
    for (const t of [0.5, 1.1, 2.9, 7]) expect(Buffer.from(a.frame(t)).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(first).equals(Buffer.from(a.base))).toBe(true);
    expect(a.blinkSchedule(10)).toEqual([]);
  });

  it('opens the jaw on the mouth input and shows a dark mouth inside', () => {
    const a = animate({ idleMotion: false });
    const mouthBox = landmarkBox(portrait.face, [...MOUTH.outerLower, ...MOUTH.innerLower, 152], 2);
    const closed = a.frame(0);
    expect(Buffer.from(a.frame(0, { open: 0 })).equals(Buffer.from(closed))).toBe(true);
    const open = a.frame(0, { open: 0.8 });
    expect(regionDifference(closed, open, a.width, mouthBox)).toBeGreaterThan(20_000);
    expect(darkPixels(open, a.width, mouthBox, 60)).toBeGreaterThan(darkPixels(closed, a.width, mouthBox, 60) + 40);
    const round = a.frame(0, { open: 0.3, visemes: { ou: 1 } });
    const wide = a.frame(0, { open: 0.3, visemes: { ih: 1 } }); // the /i/ of "see": the widest
    expect(regionDifference(round, wide, a.width, landmarkBox(portrait.face, [MOUTH.leftCorner, MOUTH.rightCorner], 4))).toBeGreaterThan(
      1000,
    );
    // Nonsense values are clamped, not propagated as NaN.
    expect(Buffer.from(a.frame(0, { open: Number.NaN })).equals(Buffer.from(closed))).toBe(true);
  });

  it('fits other resolutions by cover-cropping around the face', () => {
    for (const resolution of ['1024x1024', '640x360', '256x512']) {
      const a = animate({ resolution });
      const [w, h] = resolution.split('x').map(Number);
      expect([a.width, a.height]).toEqual([w, h]);
      const frame = a.frame(1);
      expect(frame.length).toBe(w * h * 4);
      // The frame's top-left corner is far from the face: unchanged from the still.
      expect(regionDifference(frame, a.base, w, [0, 0, 15, 15])).toBe(0);
    }
  });

  it('rejects bad input', () => {
    expect(() => animate({ resolution: '513x512' })).toThrow(/even/);
    expect(() => animate({ resolution: 'big' })).toThrow(/WIDTHxHEIGHT/);
    expect(() =>
      createPortraitAnimator({
        image: { ...portrait.image, data: portrait.image.data.subarray(0, 100) },
        face: portrait.face,
        config,
        seed: 1,
      }),
    ).toThrow(/fewer bytes/);
    expect(() => parseFaceGeometry({ width: 1, height: 1, box: [0, 0, 1, 1], landmarks: [] })).toThrow(/478/);
    expect(() => parseFaceGeometry(null)).toThrow(/object/);
    const a = animate();
    expect(() => a.frameInto(new Uint8Array(10), 0)).toThrow(/bytes/);
  });
});
