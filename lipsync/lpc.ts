/**
 * Linear prediction: Levinson-Durbin on an autocorrelation, then formants from the roots of the predictor
 * polynomial (Aberth-Ehrlich iteration, warm-started from the previous hop's roots so it converges in a few steps).
 */

/**
 * Solves for a[0..order] (a[0] = 1) with A(z) = Σ a[k] z^-k minimizing the prediction error of `r`.
 * Returns the residual energy, or 0 when the autocorrelation is degenerate (silence).
 */
export function levinsonDurbin(r: Float64Array, order: number, a: Float64Array, scratch: Float64Array): number {
  a.fill(0);
  a[0] = 1;
  let err = r[0];
  if (!(err > 0)) return 0;
  for (let i = 1; i <= order; i++) {
    let acc = r[i];
    for (let j = 1; j < i; j++) acc += a[j] * r[i - j];
    const k = -acc / err;
    scratch.set(a.subarray(0, i));
    for (let j = 1; j < i; j++) a[j] = scratch[j] + k * scratch[i - j];
    a[i] = k;
    err *= 1 - k * k;
    if (!(err > 0)) return 0;
  }
  return err;
}

export interface Formant {
  freq: number; // Hz
  bandwidth: number; // Hz
}

export interface FormantFinder {
  /** Formants of the predictor `a` (length order + 1) at `sampleRate`, sorted by frequency. */
  find(a: Float64Array, sampleRate: number): Formant[];
  reset(): void;
}

export function createFormantFinder(order: number): FormantFinder {
  // Roots z of z^order + a1 z^(order-1) + ... + a_order, as re/im pairs.
  const rr = new Float64Array(order);
  const ri = new Float64Array(order);
  const seed = (): void => {
    for (let i = 0; i < order; i++) {
      // Distinct points on a circle, off the real axis (Aberth needs distinct, non-symmetric starts).
      const ang = (2 * Math.PI * (i + 0.25)) / order + 0.4;
      rr[i] = 0.9 * Math.cos(ang);
      ri[i] = 0.9 * Math.sin(ang);
    }
  };
  seed();

  function solve(a: Float64Array): boolean {
    for (let iter = 0; iter < 60; iter++) {
      let moved = 0;
      for (let i = 0; i < order; i++) {
        const xr = rr[i],
          xi = ri[i];
        // Horner: p(x) and p'(x).
        let pr = 1,
          pi = 0,
          dr = 0,
          di = 0;
        for (let k = 1; k <= order; k++) {
          const ndr = dr * xr - di * xi + pr;
          const ndi = dr * xi + di * xr + pi;
          dr = ndr;
          di = ndi;
          const npr = pr * xr - pi * xi + a[k];
          const npi = pr * xi + pi * xr;
          pr = npr;
          pi = npi;
        }
        // ratio = p / p'
        let den = dr * dr + di * di;
        if (den === 0) den = 1e-30;
        const qr = (pr * dr + pi * di) / den;
        const qi = (pi * dr - pr * di) / den;
        // sum of 1/(x - xj)
        let sr = 0,
          si = 0;
        for (let j = 0; j < order; j++) {
          if (j === i) continue;
          const ur = xr - rr[j],
            ui = xi - ri[j];
          const ud = ur * ur + ui * ui || 1e-30;
          sr += ur / ud;
          si -= ui / ud;
        }
        // w = q / (1 - q * s)
        const cr = 1 - (qr * sr - qi * si);
        const ci = -(qr * si + qi * sr);
        const cd = cr * cr + ci * ci || 1e-30;
        const wr = (qr * cr + qi * ci) / cd;
        const wi = (qi * cr - qr * ci) / cd;
        rr[i] = xr - wr;
        ri[i] = xi - wi;
        moved = Math.max(moved, Math.abs(wr) + Math.abs(wi));
      }
      if (moved < 1e-7) return true;
    }
    return false;
  }

  return {
    find(a, sampleRate) {
      for (let i = 0; i < order; i++) {
        if (!Number.isFinite(rr[i]) || !Number.isFinite(ri[i])) {
          seed();
          break;
        }
      }
      if (!solve(a)) {
        seed();
        solve(a);
      }
      const out: Formant[] = [];
      for (let i = 0; i < order; i++) {
        if (ri[i] <= 1e-9) continue; // one of each conjugate pair; real roots are no resonance
        const mag = Math.hypot(rr[i], ri[i]);
        if (!(mag > 0) || mag >= 1.5) continue;
        const freq = (Math.atan2(ri[i], rr[i]) * sampleRate) / (2 * Math.PI);
        const bandwidth = (-Math.log(mag) * sampleRate) / Math.PI;
        out.push({ freq, bandwidth });
      }
      return out.sort((x, y) => x.freq - y.freq);
    },
    reset: seed,
  };
}
