// The SDK's pure parts, in node: blink timing, viseme fallbacks, config parsing.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createBlinkSchedule } from '../../web/sdk/blink-schedule.ts';
import { mapVisemes, visemeExpressionWeights } from '../../web/sdk/viseme-fallback.ts';

describe('blink schedule', () => {
  /** Start times of blinks (closure crossing 0.5 upward) over `seconds`, sampled every 5 ms. */
  function blinkStarts(random: () => number, seconds: number): number[] {
    const schedule = createBlinkSchedule(random);
    const starts: number[] = [];
    let prev = 0;
    for (let t = 0; t < seconds; t += 0.005) {
      const v = schedule.value(t);
      if (v >= 0.5 && prev < 0.5) starts.push(t);
      prev = v;
    }
    return starts;
  }

  it('blinks every 2 to 6 s, unevenly, with some double blinks', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const starts = blinkStarts(random, 600);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    const doubles = gaps.filter((g) => g < 0.5).length;
    const singles = gaps.filter((g) => g >= 0.5);
    expect(Math.min(...singles)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...singles)).toBeLessThanOrEqual(6.3);
    expect(doubles).toBeGreaterThan(5);
    expect(doubles / gaps.length).toBeLessThan(0.3);
    const spread = Math.max(...singles) - Math.min(...singles);
    expect(spread).toBeGreaterThan(2.5); // irregular, not a metronome
  });

  it('stays within 0..1 and is fully closed at some point of every blink', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 8, maxLength: 8 }), (draws) => {
        let i = 0;
        const schedule = createBlinkSchedule(() => draws[i++ % draws.length]);
        let max = 0;
        for (let t = 0; t < 7; t += 0.005) {
          const v = schedule.value(t);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
          max = Math.max(max, v);
        }
        expect(max).toBe(1);
      }),
      { numRuns: 50 },
    );
  });

  it('shows every blink closed however slowly frames come: the most the lids closed since the last frame', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const fine = blinkStarts(random, 120).length;
    seed = 7;
    const schedule = createBlinkSchedule(random);
    // Frames at 4 fps, each a little off the grid: without the peak since the last frame, most blinks fall between.
    let closed = 0;
    let last = 0;
    let prev = 0;
    for (let t = 0; t < 120; t += 0.25 + 0.01 * Math.sin(t)) {
      const v = schedule.value(t, last);
      if (v === 1 && prev < 1) closed++;
      last = t;
      prev = v;
    }
    expect(fine).toBeGreaterThan(20);
    // A double blink may fall within one frame, and two closed frames in a row count once.
    expect(closed).toBeGreaterThanOrEqual(fine * 0.8);
    expect(createBlinkSchedule(() => 0.5).value(4.05, 4.05)).toBeLessThan(1); // a frame at its own time: no peak
    expect(createBlinkSchedule(() => 0.5).value(4.2, 3)).toBe(1); // the blink at 4 s, between frames at 3 and 4.2 s
  });
});

describe('viseme fallback', () => {
  it('keeps visemes the model has', () => {
    expect(mapVisemes((n) => ['aa', 'ih', 'ou', 'ee', 'oh'].includes(n))).toEqual({ aa: 'aa', ih: 'ih', ou: 'ou', ee: 'ee', oh: 'oh' });
  });

  it('maps missing ones to the nearest shape: ih->ee, oh->ou, and to aa when only the jaw opens', () => {
    expect(mapVisemes((n) => ['aa', 'ou', 'ee'].includes(n))).toEqual({ aa: 'aa', ih: 'ee', ou: 'ou', ee: 'ee', oh: 'ou' });
    expect(mapVisemes((n) => n === 'aa')).toEqual({ aa: 'aa', ih: 'aa', ou: 'aa', ee: 'aa', oh: 'aa' });
    expect(mapVisemes(() => false)).toEqual({ aa: '', ih: '', ou: '', ee: '', oh: '' });
  });

  it('sums visemes shown by one expression, up to 1', () => {
    const map = mapVisemes((n) => n === 'aa' || n === 'ee');
    const w = visemeExpressionWeights(map, { aa: 0.5, ih: 0.3, ou: 0.4, ee: 0.1, oh: 0.6 });
    expect(w.get('aa')).toBe(1); // aa 0.5 + ou 0.4 + oh 0.6, capped
    expect(w.get('ee')).toBeCloseTo(0.4); // ee 0.1 + ih 0.3
  });
});
