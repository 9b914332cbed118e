/**
 * The speaker-normalized vowel space: log F1, F2, F3 and the LPC cepstrum, each minus its running mean over this
 * speaker's confident vowel frames (Nearey-style formant normalization and cepstral mean normalization), so a child,
 * a woman and a man land in one space without calibration. The sound classifier (sound-classifier.ts) reads it.
 */
import type { SpectralFeatures } from './spectral-features.ts';

/**
 * VRM's five vowel presets, the Japanese vowels a i u e o: `aa` as in "father", `ih` the /i/ of "see" (and "sit"),
 * `ou` the /u/ of "too", `ee` the /e/ of "bed" (and the mid vowels of "her" and schwa), `oh` as in "go".
 */
export type Viseme = 'aa' | 'ih' | 'ou' | 'ee' | 'oh';
export const VISEMES: readonly Viseme[] = ['aa', 'ih', 'ou', 'ee', 'oh'];

export const CEPSTRA = 8; // c1..c8 of the LPC cepstrum
export const DIMENSIONS = 3 + CEPSTRA;
const PRIOR_LOG_FORMANTS = [Math.log(500), Math.log(1500), Math.log(2500)];
const PRIOR_FRAMES = 100; // the prior counts as this many observed frames: ~1 s of vowels before the speaker outweighs it
const MEMORY_FRAMES = 400; // ~4 s of voiced speech at 10 ms hops
const PEAK_DECAY_DB = 0.015; // per frame

export interface VowelSpace {
  /** Normalized features of a frame into `out` (length DIMENSIONS); false when the frame has no formants. */
  describe(f: SpectralFeatures, out: Float64Array): boolean;
  /** Learns the speaker from the frame if it is a confident vowel (voiced, loud, not nasal). Call after describe. */
  observe(f: SpectralFeatures): void;
  reset(): void;
}

export function createVowelSpace(): VowelSpace {
  const mean = new Float64Array(DIMENSIONS);
  const raw = new Float64Array(DIMENSIONS);
  let count = PRIOR_FRAMES;
  let peakDb = -20;
  const init = (): void => {
    mean.fill(0);
    mean.set(PRIOR_LOG_FORMANTS);
    count = PRIOR_FRAMES;
    peakDb = -20;
  };
  init();
  let rawValid = false;
  return {
    describe(f, out) {
      peakDb = Math.max(f.levelDb, peakDb - PEAK_DECAY_DB);
      rawValid = !Number.isNaN(f.f1);
      if (!rawValid) return false;
      raw[0] = Math.log(f.f1);
      raw[1] = Math.log(f.f2);
      raw[2] = Number.isNaN(f.f3) ? mean[2] : Math.log(f.f3);
      for (let i = 0; i < CEPSTRA; i++) raw[3 + i] = f.cepstrum[i];
      for (let i = 0; i < DIMENSIONS; i++) out[i] = raw[i] - mean[i];
      return true;
    },
    observe(f) {
      if (!rawValid || f.periodicity < 0.6 || f.levelDb < peakDb - 17 || f.tiltDb < -22) return;
      count = Math.min(count + 1, MEMORY_FRAMES);
      for (let i = 0; i < DIMENSIONS; i++) mean[i] += (raw[i] - mean[i]) / count;
    },
    reset: init,
  };
}
