/**
 * What the sound classifier reads in one analysis window: the spectral features, the speaker-normalized vowel space
 * and the level under the running peak. The analyzer and the classifier's fit (truth/fit-sound-classifier.ts) both
 * go through here, so they see the same numbers.
 */
import { createSpectralAnalyzer, type SpectralFeatures } from './spectral-features.ts';
import { createVowelSpace, DIMENSIONS } from './vowel-space.ts';

/** Per frame: the vowel space's features (0 without formants), a flag for them, level, voicing, tilt, 8 bands. */
export const INPUTS = DIMENSIONS + 5 + 8;

export interface SoundFrame {
  spectral: SpectralFeatures;
  /** The classifier's input (shared buffer, overwritten by the next frame). */
  input: Float64Array;
  /** The vowel space's normalized features (shared), or null when the frame has no formants. */
  vowel: Float64Array | null;
  /** The speaker's running peak level, dB: it relaxes 1.5 dB/s. */
  peakDb: number;
}

export interface SoundFeatures {
  analyze(window: Float64Array): SoundFrame;
  /** Forgets the stream; also the speaker (vowel space, peak level) unless `keepSpeaker`. */
  reset(keepSpeaker?: boolean): void;
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

export function createSoundFeatures(sampleRate: number, windowLength: number, hop: number): SoundFeatures {
  const spectral = createSpectralAnalyzer(sampleRate, windowLength);
  const vowels = createVowelSpace();
  const vowel = new Float64Array(DIMENSIONS);
  const input = new Float64Array(INPUTS);
  const peakDecayDb = 1.5 * (hop / sampleRate);
  let peakDb = -20;
  return {
    analyze(window) {
      const f = spectral.analyze(window);
      peakDb = Math.max(f.levelDb, peakDb - peakDecayDb, -60);
      const formants = vowels.describe(f, vowel);
      vowels.observe(f);
      for (let i = 0; i < DIMENSIONS; i++) input[i] = formants ? vowel[i] : 0;
      let k = DIMENSIONS;
      input[k++] = formants ? 1 : 0;
      input[k++] = clamp((f.levelDb - peakDb) / 20, -4, 0.5);
      input[k++] = f.periodicity;
      input[k++] = f.lowShare;
      input[k++] = clamp(f.tiltDb / 20, -3, 3);
      for (let b = 0; b < 8; b++) input[k++] = f.bands[b] / 2;
      return { spectral: f, input, vowel: formants ? vowel : null, peakDb };
    },
    reset(keepSpeaker) {
      spectral.reset();
      if (keepSpeaker) return;
      vowels.reset();
      peakDb = -20;
    },
  };
}
