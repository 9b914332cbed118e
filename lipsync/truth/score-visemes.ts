/**
 * Scores analyzer frames against espeak-ng's phonemes per 20 ms frame: the truth of a frame is the phoneme under
 * its centre, the prediction the analyzer frame nearest to that centre.
 */
import type { VisemeFrame } from '../viseme-analyzer.ts';
import { VISEMES, type Viseme } from '../vowel-space.ts';
import type { SpokenText } from './espeak-truth.ts';
import { phonemeToViseme, type TruthLabel } from './phoneme-visemes.ts';

export const SCORE_FRAME_S = 0.02;

export interface ScoredFrame {
  truth: TruthLabel;
  /** The espeak mnemonic under the frame's centre. */
  phoneme: string;
  frame: VisemeFrame;
}

export function alignFrames(speech: SpokenText, frames: VisemeFrame[]): ScoredFrame[] {
  const out: ScoredFrame[] = [];
  if (frames.length === 0) return out;
  const { phonemes, sampleRate } = speech;
  const duration = speech.samples.length / sampleRate;
  const step = frames.length > 1 ? frames[1].time - frames[0].time : 1;
  let p = 0;
  for (let t = SCORE_FRAME_S / 2; t < duration; t += SCORE_FRAME_S) {
    const s = t * sampleRate;
    if (s < phonemes[0].start) continue;
    while (p + 1 < phonemes.length && phonemes[p + 1].start <= s) p++;
    const i = Math.round((t - frames[0].time) / step);
    if (i < 0 || i >= frames.length) continue;
    out.push({ truth: phonemeToViseme(phonemes[p].phoneme), phoneme: phonemes[p].phoneme, frame: frames[i] });
  }
  return out;
}

export interface VowelScore {
  frames: number;
  /** Share of vowel frames whose dominant viseme is the truth ('closed' counts as wrong). */
  accuracy: number;
  /** Share of the most frequent vowel viseme: what always answering it would score. */
  majority: number;
  majorityViseme: Viseme;
  /** 1 / 5. */
  chance: number;
  confusion: Record<Viseme, Record<Viseme | 'closed', number>>;
}

export function scoreVowels(scored: ScoredFrame[]): VowelScore {
  const counts = Object.fromEntries(VISEMES.map((v) => [v, 0])) as Record<Viseme, number>;
  const confusion = Object.fromEntries(
    VISEMES.map((v) => [v, Object.fromEntries([...VISEMES, 'closed'].map((p) => [p, 0]))]),
  ) as VowelScore['confusion'];
  let n = 0,
    hits = 0;
  for (const { truth, frame } of scored) {
    if (truth === 'closed' || truth === 'other') continue;
    n++;
    counts[truth]++;
    confusion[truth][frame.viseme]++;
    if (frame.viseme === truth) hits++;
  }
  const majorityViseme = VISEMES.reduce((a, b) => (counts[b] > counts[a] ? b : a));
  return {
    frames: n,
    accuracy: n ? hits / n : 0,
    majority: n ? counts[majorityViseme] / n : 0,
    majorityViseme,
    chance: 1 / VISEMES.length,
    confusion,
  };
}
