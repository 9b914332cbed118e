/**
 * Radix-2 FFT of a real sequence, computed as a half-size complex FFT plus a split step.
 * Sized once; `transform` allocates nothing, so it can run on every analysis hop.
 */
export interface RealFft {
  readonly size: number;
  /** Writes bins 0..size/2 of the DFT of `input` (length `size`) into `re` and `im` (length size/2 + 1). */
  transform(input: ArrayLike<number>, re: Float64Array, im: Float64Array): void;
}

export function createRealFft(size: number): RealFft {
  if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
  }
  const half = size / 2;
  const zr = new Float64Array(half);
  const zi = new Float64Array(half);
  // Twiddles e^{-2πik/size} for k < size/2 serve both the half-size FFT (even k) and the split step.
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  const bitrev = new Uint32Array(half);
  const bits = Math.log2(half);
  for (let i = 0; i < half; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitrev[i] = r;
  }

  function complexFft(): void {
    for (let i = 0; i < half; i++) {
      const j = bitrev[i];
      if (j > i) {
        let t = zr[i];
        zr[i] = zr[j];
        zr[j] = t;
        t = zi[i];
        zi[i] = zi[j];
        zi[j] = t;
      }
    }
    for (let len = 2; len <= half; len <<= 1) {
      const step = size / len; // twiddle stride in the size-length table
      const m = len >> 1;
      for (let start = 0; start < half; start += len) {
        for (let k = 0; k < m; k++) {
          const wr = cos[k * step];
          const wi = sin[k * step];
          const a = start + k;
          const b = a + m;
          const tr = zr[b] * wr - zi[b] * wi;
          const ti = zr[b] * wi + zi[b] * wr;
          zr[b] = zr[a] - tr;
          zi[b] = zi[a] - ti;
          zr[a] += tr;
          zi[a] += ti;
        }
      }
    }
  }

  return {
    size,
    transform(input, re, im) {
      for (let n = 0; n < half; n++) {
        zr[n] = input[2 * n];
        zi[n] = input[2 * n + 1];
      }
      complexFft();
      re[0] = zr[0] + zi[0];
      im[0] = 0;
      re[half] = zr[0] - zi[0];
      im[half] = 0;
      for (let k = 1; k < half; k++) {
        const ar = zr[k],
          ai = zi[k];
        const br = zr[half - k],
          bi = -zi[half - k]; // conj(Z[half-k])
        const er = (ar + br) / 2,
          ei = (ai + bi) / 2; // spectrum of even samples
        const or = (ai - bi) / 2,
          oi = -(ar - br) / 2; // spectrum of odd samples: (A - B) / 2i
        const wr = cos[k],
          wi = sin[k];
        re[k] = er + or * wr - oi * wi;
        im[k] = ei + or * wi + oi * wr;
      }
    },
  };
}
