/** What one 10 ms slot of speech says about its prosody. */
export interface ProsodyFrame {
  /** RMS level of the slot in dBFS (-120 for digital silence). */
  levelDb: number;
  /** Pitch in semitones above 100 Hz, or null when the slot is not clearly voiced. */
  pitch: number | null;
}

/** Pitch is found on a copy decimated to about this rate: plenty for 70-400 Hz, and cheap at 100 slots a second. */
const PITCH_RATE = 8000;
const WINDOW_SECONDS = 0.032;
const MIN_HZ = 70;
const MAX_HZ = 400;
/** Normalised autocorrelation a voiced slot reaches; whispers, fricatives and noise stay below it. */
const VOICED = 0.5;
/** Quieter slots are not worth a pitch search: speech at any sane gain is well above. */
const PITCH_FLOOR_DB = -50;

/**
 * Level and pitch of speech, one playout slot at a time. Pitch is the lag of the highest normalised
 * autocorrelation over the last 32 ms (the shortest lag within 10% of it, so a period's double never wins).
 * Deterministic: a pure function of the samples pushed so far.
 */
export class ProsodyTracker {
  private readonly factor: number;
  private readonly rate: number;
  private readonly history: Float64Array;
  private filled = 0;
  private readonly minLag: number;
  private readonly maxLag: number;

  constructor(readonly sampleRate: number) {
    this.factor = Math.max(1, Math.round(sampleRate / PITCH_RATE));
    this.rate = sampleRate / this.factor;
    this.minLag = Math.floor(this.rate / MAX_HZ);
    this.maxLag = Math.ceil(this.rate / MIN_HZ);
    this.history = new Float64Array(Math.ceil(this.rate * WINDOW_SECONDS) + this.maxLag);
  }

  /** The next slot's PCM16 samples (null: silence). */
  push(samples: Int16Array | null): ProsodyFrame {
    if (!samples || samples.length === 0) {
      this.shift(null, 0);
      return { levelDb: -120, pitch: null };
    }
    let energy = 0;
    for (let i = 0; i < samples.length; i++) energy += samples[i] * samples[i];
    const levelDb = energy === 0 ? -120 : 10 * Math.log10(energy / samples.length / 32768 ** 2);
    this.shift(samples, Math.floor(samples.length / this.factor));
    return { levelDb, pitch: levelDb > PITCH_FLOOR_DB ? this.pitch() : null };
  }

  /** Appends the slot, decimated by block means (a crude low-pass that is enough for a pitch period). */
  private shift(samples: Int16Array | null, count: number): void {
    const h = this.history;
    const n = samples ? count : Math.round(this.rate * 0.01);
    h.copyWithin(0, Math.min(n, h.length));
    for (let k = 0; k < n; k++) {
      let sum = 0;
      if (samples) for (let j = 0; j < this.factor; j++) sum += samples[k * this.factor + j];
      h[h.length - n + k] = sum / this.factor / 32768;
    }
    this.filled = Math.min(h.length, this.filled + n);
  }

  private pitch(): number | null {
    const h = this.history;
    if (this.filled < h.length) return null;
    const window = h.length - this.maxLag;
    const start = this.maxLag;
    let e0 = 0;
    for (let i = start; i < h.length; i++) e0 += h[i] * h[i];
    if (e0 === 0) return null;
    const scores = new Float64Array(this.maxLag + 1);
    let best = 0;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      let cross = 0;
      let e1 = 0;
      for (let i = 0; i < window; i++) {
        const a = h[start + i];
        const b = h[start + i - lag];
        cross += a * b;
        e1 += b * b;
      }
      const r = e1 > 0 ? cross / Math.sqrt(e0 * e1) : 0;
      scores[lag] = r;
      if (r > best) best = r;
    }
    if (best < VOICED) return null;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      // The first local peak close to the best one: the period itself, not a multiple of it.
      if (scores[lag] >= best * 0.9 && scores[lag] >= scores[lag - 1] && scores[lag] >= (scores[lag + 1] ?? 0)) {
        return 12 * Math.log2(this.rate / lag / 100);
      }
    }
    return null;
  }
}
