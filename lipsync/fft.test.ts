import { describe, expect, it } from 'vitest';
import { createRealFft } from './fft.ts';

describe('createRealFft', () => {
  it.each([4, 8, 64, 1024])('matches a direct DFT at size %i', (n) => {
    let s = n;
    const x = Float64Array.from({ length: n }, () => ((s = (s * 69069 + 1) % 4294967296) / 4294967296) * 2 - 1);
    const re = new Float64Array(n / 2 + 1),
      im = new Float64Array(n / 2 + 1);
    createRealFft(n).transform(x, re, im);
    for (let k = 0; k <= n / 2; k++) {
      let dr = 0,
        di = 0;
      for (let t = 0; t < n; t++) {
        dr += x[t] * Math.cos((2 * Math.PI * k * t) / n);
        di -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(dr, 8);
      expect(im[k]).toBeCloseTo(di, 8);
    }
  });

  it('rejects sizes that are not powers of two', () => {
    for (const n of [0, 2, 6, 100, 1.5, NaN]) expect(() => createRealFft(n)).toThrow(RangeError);
  });
});
