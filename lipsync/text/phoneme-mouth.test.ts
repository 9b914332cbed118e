import { describe, expect, it } from 'vitest';
import { VISEMES } from '../vowel-space.ts';
import { alignPhonemes } from './align-phonemes.ts';
import { PhonemeMouth, type TextMouth } from './phoneme-mouth.ts';

const dominant = (m: TextMouth) => VISEMES.reduce((a, b) => (m.visemes[b] > m.visemes[a] ? b : a));
/** The mouth every 5 ms over [from, to). */
function sample(track: PhonemeMouth, from: number, to: number): { t: number; m: TextMouth | null }[] {
  const out = [];
  for (let t = from; t < to; t += 0.005) out.push({ t, m: track.at(t) });
  return out;
}

describe('the mouth of timed phonemes', () => {
  // "mama" then, after a pause, "see you": m A: m a#  |  s i:  j u:
  const track = new PhonemeMouth(
    alignPhonemes([
      { start: 0.1, end: 0.5, phonemes: ['m', 'A:', 'm', 'a#'] },
      { start: 1.0, end: 1.3, phonemes: ['s', 'i:'] },
      { start: 1.3, end: 1.55, phonemes: ['j', 'u:'] },
    ]),
  );

  it('closes the lips fully for the whole of each m, and opens wide on its vowel', () => {
    const [m1, a, m2] = alignPhonemes([{ start: 0.1, end: 0.5, phonemes: ['m', 'A:', 'm', 'a#'] }]);
    for (const m of [m1, m2]) {
      for (const { m: mouth } of sample(track, m.start + 0.001, m.end - 0.001)) {
        expect(mouth!.open).toBe(0);
        expect(mouth!.consonants.pp).toBe(1);
      }
    }
    const middle = track.at((a.start + a.end) / 2)!;
    expect(middle.open).toBeGreaterThan(0.7);
    expect(dominant(middle)).toBe('aa');
    expect(middle.consonants.pp).toBe(0);
  });

  it("shows VRM's ih on see and ou on you", () => {
    const [, i, , u] = alignPhonemes([
      { start: 1.0, end: 1.3, phonemes: ['s', 'i:'] },
      { start: 1.3, end: 1.55, phonemes: ['j', 'u:'] },
    ]);
    expect(dominant(track.at((i.start + i.end) / 2)!)).toBe('ih');
    expect(dominant(track.at((u.start + u.end) / 2)!)).toBe('ou');
    expect(track.at(1.02)!.consonants.ss).toBeGreaterThan(0.9);
  });

  it('moves without steps or chatter: small changes between 5 ms samples, each weight rising and falling once per phoneme', () => {
    const run = sample(track, 0, 1.8).filter((s) => s.m);
    for (let k = 1; k < run.length; k++) {
      const [a, b] = [run[k - 1].m!, run[k].m!];
      if (Math.abs(run[k].t - run[k - 1].t - 0.005) > 1e-9) continue;
      // The largest step: a 30 ms ramp from open 0.8 to 0, 5 ms at a time, smoothstepped (1.5x the mean slope).
      expect(Math.abs(b.open - a.open)).toBeLessThan(0.25);
    }
    // aa rises once and falls once over "mama": no flicker.
    const aa = sample(track, 0, 0.6).map((s) => s.m?.visemes.aa ?? 0);
    let turns = 0;
    for (let k = 2; k < aa.length; k++) if (Math.sign(aa[k] - aa[k - 1]) * Math.sign(aa[k - 1] - aa[k - 2]) < 0) turns++;
    expect(turns).toBeLessThanOrEqual(4); // up, (hold), down into m, up, down
  });

  it('rests closed in a short gap, says nothing outside its phrases, and covers a short margin around them', () => {
    expect(track.at(0.02)).toBeNull(); // before the first phrase's margin
    expect(track.at(0.07)).not.toBeNull();
    expect(track.at(0.8)).toBeNull(); // the pause between the phrases: the audio's
    expect(track.covers(0.8)).toBe(false);
    expect(track.at(0.55)!.open).toBeLessThan(0.05); // the rest after "mama"
    expect(track.sounds(0.55)).toBe(false);
    expect(track.sounds(0.3)).toBe(true);
    expect(track.at(2)).toBeNull();
    expect(track.end).toBeCloseTo(1.55 + 0.12, 6);
  });

  it('lets t, k and n take the lips of the vowel next to them', () => {
    const [t, i] = alignPhonemes([{ start: 0, end: 0.3, phonemes: ['t', 'i:'] }]);
    const mouth = new PhonemeMouth([t, i]).at(t.start + 0.005)!;
    expect(dominant(mouth)).toBe('ih');
    expect(mouth.visemes.ih).toBeLessThan(1);
  });
});
