import { describe, expect, it } from 'vitest';
import { LIPS_PART_SECONDS, MOUTH_RELEASE_SECONDS, MouthFade, PRESS_HOLD_SECONDS } from './mouth-fade.ts';

const FRAME = 1 / 30;

describe('MouthFade', () => {
  it('shows a lone frame as asked, and no mouth (or a closed one) as the rest pose', () => {
    expect(new MouthFade().apply(1, { open: 0.5, visemes: { aa: 1 } })?.open).toBe(0.5);
    expect(new MouthFade().apply(1, undefined)).toBeUndefined();
    expect(new MouthFade().apply(1, { open: 0, visemes: { aa: 0 } })).toBeUndefined();
    expect(new MouthFade().apply(1, { open: Number.NaN })).toBeUndefined();
  });

  it('opens and closes on p/b/m at once, and falls back to rest no faster than its release', () => {
    const fade = new MouthFade();
    fade.apply(0, { open: 0.8, visemes: { aa: 1 } });
    // The lips meet in the next frame, whatever was shown before.
    expect(fade.apply(FRAME, { open: 0, consonants: { pp: 1 } })?.consonants?.pp).toBe(1);
    const shown: number[] = [];
    for (let k = 2; k < 8; k++) shown.push(fade.apply(k * FRAME, undefined)?.consonants?.pp ?? 0);
    const perFrame = FRAME / MOUTH_RELEASE_SECONDS;
    expect(shown[0]).toBeCloseTo(1 - perFrame, 9);
    expect(shown[1]).toBeCloseTo(1 - 2 * perFrame, 9);
    expect(shown.at(-1)).toBe(0);
    expect(fade.apply(9 * FRAME, undefined)).toBeUndefined();
  });

  it('parts pressed lips within a frame into the next sound (the release of a p), not over the release', () => {
    const fade = new MouthFade();
    fade.apply(0, { open: 0, consonants: { pp: 1 } });
    const next = fade.apply(FRAME, { open: 0.7, visemes: { aa: 0.8 } });
    expect(next?.consonants?.pp).toBe(Math.max(0, 1 - FRAME / LIPS_PART_SECONDS));
    expect(next?.consonants?.pp).toBe(0); // 30 fps: gone in the next frame
    expect(next?.open).toBe(0.7);
    // A faint shape after the lips is not a sound to part into: they fade as into the rest pose.
    const faint = new MouthFade();
    faint.apply(0, { open: 0, consonants: { pp: 1 } });
    expect(faint.apply(FRAME, { open: 0.05 })?.consonants?.pp).toBeCloseTo(1 - FRAME / MOUTH_RELEASE_SECONDS, 9);
  });

  it('relaxes lips held shut past a bilabial closure: a pause is not a p', () => {
    const fade = new MouthFade();
    let pp = 1;
    const times: number[] = [];
    for (let t = 0; t < 0.6; t += FRAME) {
      pp = fade.apply(t, { open: 0, consonants: { pp: 1 } })?.consonants?.pp ?? 0;
      times.push(pp);
    }
    // Held at first (a real closure lasts up to ~150 ms)...
    expect(times.slice(0, Math.floor(PRESS_HOLD_SECONDS / FRAME))).toEqual(
      times.slice(0, Math.floor(PRESS_HOLD_SECONDS / FRAME)).map(() => 1),
    );
    // ...then the photo's own mouth.
    expect(pp).toBe(0);
  });

  it('does not carry state over a jump in time or a frame drawn again', () => {
    const fade = new MouthFade();
    fade.apply(0, { open: 1 });
    expect(fade.apply(5, undefined)).toBeUndefined();
    fade.apply(6, { open: 1 });
    expect(fade.apply(6, { open: 0.2 })?.open).toBe(0.2);
  });
});
