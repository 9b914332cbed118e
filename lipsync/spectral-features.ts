import { createRealFft } from './fft.ts';
import { createFormantFinder, levinsonDurbin } from './lpc.ts';

/** What one analysis window says about the voice. */
export interface SpectralFeatures {
  /** RMS level in dBFS (-120 for digital silence). */
  levelDb: number;
  /** Normalized autocorrelation peak in the pitch range, 0..1: high for voiced speech. */
  periodicity: number;
  /** Share of the energy below 1 kHz (after DC removal): high for vowels and nasals, low for fricatives. */
  lowShare: number;
  /** Energy 1-4 kHz relative to 0-1 kHz, in dB: very low for nasal murmur (m, n). */
  tiltDb: number;
  /** First two formants in Hz, NaN when no plausible pair was found. */
  f1: number;
  f2: number;
  /** Third formant in Hz, NaN when none was found above F2. */
  f3: number;
  /** LPC cepstrum c1..c12 of the pre-emphasized 0-5 kHz band (shared buffer, overwritten by the next call). */
  cepstrum: Float64Array;
  /**
   * Energy per band of BAND_EDGES_HZ (0-8 kHz) relative to the whole 0-8 kHz band, in bels (log10), floored at -6
   * (shared buffer). Fricatives show here: s and sh loud above 4 kHz, f and th weak and flat.
   */
  bands: Float64Array;
}

/** Band edges of `bands`; 8 kHz is the top a 16 kHz stream carries, so every rate sees the same bands. */
export const BAND_EDGES_HZ = [0, 400, 800, 1300, 2000, 3000, 4000, 5500, 8000];

const LPC_BAND_HZ = 5000; // formants of interest (F1, F2) live well below this for any adult or child voice
const LPC_ORDER = 12; // 2 poles per kHz of an effective 10 kHz rate, plus 2
const PITCH_MIN_HZ = 60;
const PITCH_MAX_HZ = 500;

export interface SpectralAnalyzer {
  readonly windowLength: number;
  analyze(window: Float64Array): SpectralFeatures;
  reset(): void;
}

export function createSpectralAnalyzer(sampleRate: number, windowLength: number): SpectralAnalyzer {
  let size = 4;
  while (size < 2 * windowLength) size *= 2; // zero-padded to twice the window: linear, not circular, autocorrelation
  const fft = createRealFft(size);
  const bins = size / 2 + 1;
  const hann = new Float64Array(windowLength);
  for (let n = 0; n < windowLength; n++) hann[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / windowLength);
  const frame = new Float64Array(size);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const power = new Float64Array(bins);
  const sym = new Float64Array(size);

  const binHz = sampleRate / size;
  const band = Math.min(LPC_BAND_HZ, sampleRate / 2);
  const lpcBins = Math.floor(band / binHz);
  const lpcRate = 2 * band;
  // cos(2π f k / lpcRate) per LPC lag and bin, with pre-emphasis (+6 dB/octave) folded into the bin weight.
  const lpcCos = new Float64Array((LPC_ORDER + 1) * (lpcBins + 1));
  const preEmphasis = new Float64Array(lpcBins + 1);
  for (let b = 0; b <= lpcBins; b++) {
    const w = (2 * Math.PI * b * binHz) / lpcRate;
    preEmphasis[b] = (1 + 0.97 * 0.97 - 2 * 0.97 * Math.cos(w)) * (b === 0 || b === lpcBins ? 0.5 : 1);
    for (let k = 0; k <= LPC_ORDER; k++) lpcCos[k * (lpcBins + 1) + b] = Math.cos(w * k);
  }
  // Gaussian lag window: smooths the envelope so LPC does not lock onto the harmonics of a high voice.
  const lagWindow = new Float64Array(LPC_ORDER + 1);
  for (let k = 0; k <= LPC_ORDER; k++) lagWindow[k] = Math.exp(-0.5 * ((2 * Math.PI * 80 * k) / lpcRate) ** 2);
  const r = new Float64Array(LPC_ORDER + 1);
  const a = new Float64Array(LPC_ORDER + 1);
  const scratch = new Float64Array(LPC_ORDER + 1);
  const formants = createFormantFinder(LPC_ORDER);
  const cepstrum = new Float64Array(LPC_ORDER);

  // Autocorrelation of the window itself, to undo its taper in the periodicity measure (Boersma 1993).
  const windowAcf = new Float64Array(size);
  frame.fill(0);
  frame.set(hann);
  autocorrelate(windowAcf);
  const acf = new Float64Array(size);
  const minLag = Math.max(2, Math.floor(sampleRate / PITCH_MAX_HZ));
  const maxLag = Math.min(windowLength - 1, Math.ceil(sampleRate / PITCH_MIN_HZ));
  const bin1k = Math.round(1000 / binHz);
  const bin4k = Math.min(bins - 1, Math.round(4000 / binHz));
  const bandBins = BAND_EDGES_HZ.map((hz) => Math.min(bins - 1, Math.round(hz / binHz)));
  const bands = new Float64Array(BAND_EDGES_HZ.length - 1);

  function spectrum(): void {
    fft.transform(frame, re, im);
    for (let b = 0; b < bins; b++) power[b] = re[b] * re[b] + im[b] * im[b];
  }

  function autocorrelate(out: Float64Array): void {
    spectrum();
    // The DFT of a real, even sequence is real: the power spectrum's transform is the autocorrelation (× size).
    for (let b = 0; b < bins; b++) sym[b] = power[b];
    for (let b = 1; b < bins - 1; b++) sym[size - b] = power[b];
    fft.transform(sym, re, im);
    for (let k = 0; k < bins; k++) out[k] = re[k];
  }

  return {
    windowLength,
    analyze(window) {
      let mean = 0;
      for (let n = 0; n < windowLength; n++) mean += window[n];
      mean /= windowLength;
      let energy = 0;
      for (let n = 0; n < windowLength; n++) {
        const x = window[n] - mean;
        energy += x * x;
        frame[n] = x * hann[n];
      }
      frame.fill(0, windowLength);
      const levelDb = energy > 0 ? 10 * Math.log10(energy / windowLength) : -120;
      const silent = levelDb < -90;

      autocorrelate(acf); // also leaves the power spectrum in `power`
      let periodicity = 0;
      if (!silent && acf[0] > 0) {
        for (let lag = minLag; lag <= maxLag; lag++) {
          const v = acf[lag] / acf[0] / (windowAcf[lag] / windowAcf[0]);
          if (v > periodicity && acf[lag] >= acf[lag - 1] && acf[lag] >= acf[lag + 1]) periodicity = v;
        }
      }
      periodicity = Math.min(1, periodicity);

      let low = 0,
        mid = 0,
        all = 0;
      for (let b = 1; b < bins; b++) {
        all += power[b];
        if (b <= bin1k) low += power[b];
        else if (b <= bin4k) mid += power[b];
      }
      const lowShare = all > 0 ? low / all : 0;
      let total = 1e-12;
      for (let k = 0; k < bands.length; k++) {
        let e = 1e-12;
        for (let b = Math.max(1, bandBins[k]); b < bandBins[k + 1]; b++) e += power[b];
        bands[k] = e;
        total += e;
      }
      for (let k = 0; k < bands.length; k++) bands[k] = Math.max(-6, Math.log10(bands[k] / total));
      const tiltDb = low > 0 && mid > 0 ? 10 * Math.log10(mid / low) : 0;

      let f1 = NaN,
        f2 = NaN,
        f3 = NaN;
      if (!silent) {
        for (let k = 0; k <= LPC_ORDER; k++) {
          let acc = 0;
          const row = k * (lpcBins + 1);
          for (let b = 0; b <= lpcBins; b++) acc += power[b] * preEmphasis[b] * lpcCos[row + b];
          r[k] = acc * lagWindow[k];
        }
        r[0] *= 1.0001; // white-noise floor keeps the recursion stable
        cepstrum.fill(0);
        if (levinsonDurbin(r, LPC_ORDER, a, scratch) > 0) {
          lpcCepstrum(a, cepstrum);
          const found = formants.find(a, lpcRate);
          for (const f of found) {
            if (f.freq < 180 || f.bandwidth > 600) continue;
            if (Number.isNaN(f1)) {
              if (f.freq < 1300) f1 = f.freq;
            } else if (Number.isNaN(f2)) {
              if (f.freq > f1 + 150 && f.freq < 3300) f2 = f.freq;
            } else if (f.freq > f2 + 200) {
              f3 = f.freq;
              break;
            }
          }
          if (Number.isNaN(f2)) f1 = f3 = NaN;
        }
      }
      return { levelDb, periodicity, lowShare, tiltDb, f1, f2, f3, cepstrum, bands };
    },
    reset() {
      formants.reset();
    },
  };
}

/** Cepstrum of 1/A(z): c[n] = -a[n] - Σ_{k<n} (k/n) c[k] a[n-k], written as out[n-1]. */
function lpcCepstrum(a: Float64Array, out: Float64Array): void {
  for (let n = 1; n <= out.length; n++) {
    let acc = -a[n];
    for (let k = 1; k < n; k++) acc -= (k / n) * out[k - 1] * a[n - k];
    out[n - 1] = acc;
  }
}
