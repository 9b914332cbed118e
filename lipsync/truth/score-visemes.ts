/**
 * Scores analyzer frames against espeak-ng's phonemes per 20 ms frame: the truth of a frame is the phoneme under
 * its centre, the prediction the analyzer frame nearest to that centre. The silence of a stop's closure is that
 * stop's (closureSpans), not the vowel's before it to which espeak-ng's events leave it.
 */
import { CLOSED_BELOW, type VisemeFrame } from '../viseme-analyzer.ts';
import { VISEMES, type Viseme } from '../vowel-space.ts';
import type { SpokenText } from './espeak-truth.ts';
import { phonemeToConsonant, phonemeToViseme, type TruthLabel } from '../phoneme-visemes.ts';
import { CONSONANTS, type Consonant } from '../consonants.ts';

export const SCORE_FRAME_S = 0.02;

export interface ScoredFrame {
  truth: TruthLabel;
  /** The espeak mnemonic under the frame's centre. */
  phoneme: string;
  frame: VisemeFrame;
}

/** `phonemeTable`: the voice's (phoneme-tables.ts), so that each mnemonic is scored as that voice sounds it. */
export function alignFrames(speech: SpokenText, frames: VisemeFrame[], phonemeTable = 'en'): ScoredFrame[] {
  const out: ScoredFrame[] = [];
  if (frames.length === 0) return out;
  const { phonemes, sampleRate } = speech;
  const duration = speech.samples.length / sampleRate;
  const step = frames.length > 1 ? frames[1].time - frames[0].time : 1;
  const closures = closureSpans(speech, true);
  let p = 0;
  for (let t = SCORE_FRAME_S / 2; t < duration; t += SCORE_FRAME_S) {
    const s = t * sampleRate;
    if (s < phonemes[0].start) continue;
    while (p + 1 < phonemes.length && phonemes[p + 1].start <= s) p++;
    const i = Math.round((t - frames[0].time) / step);
    if (i < 0 || i >= frames.length) continue;
    const phoneme = closures.find((c) => s >= c.start && s < c.end)?.phoneme ?? phonemes[p].phoneme;
    out.push({ truth: phonemeToViseme(phoneme, phonemeTable), phoneme, frame: frames[i] });
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

/** A phoneme of the truth, as a span of samples. */
export interface PhonemeSpan {
  phoneme: string;
  start: number;
  end: number;
}

const STOP = /^[pbtdkg]/; // p b t d k g, and tS dZ t# t2
const CLOSURE_BLOCK_S = 0.005;
const CLOSURE_MAX_S = 0.15;
const CLOSURE_UNDER_PEAK_DB = 30;

/**
 * The stops (p b t d k g tS dZ) and the m of the truth, each from its espeak-ng event to the next event. espeak-ng
 * starts a stop's event at its burst and leaves the silence of its closure (when it makes one) to the phoneme
 * before, so with `closures` a stop's span also takes in the quiet stretch right before its event: 5 ms blocks of the
 * clean signal 30 dB or more under the utterance's loudest block, at most 150 ms, never past the previous event.
 */
export function closureSpans(speech: SpokenText, closures: boolean): PhonemeSpan[] {
  const { samples, phonemes, sampleRate } = speech;
  const block = Math.round(CLOSURE_BLOCK_S * sampleRate);
  const blockDb = (at: number): number => {
    let e = 0;
    for (let i = at; i < at + block; i++) e += samples[i] * samples[i];
    return 10 * Math.log10(e / block + 1e-20);
  };
  let peakDb = -200;
  for (let at = 0; at + block <= samples.length; at += block) peakDb = Math.max(peakDb, blockDb(at));
  const spans: PhonemeSpan[] = [];
  phonemes.forEach(({ phoneme, start }, i) => {
    if (phoneme !== 'm' && !STOP.test(phoneme)) return;
    const end = phonemes[i + 1]?.start ?? samples.length;
    let from = start;
    if (closures && phoneme !== 'm') {
      const limit = Math.max(i > 0 ? phonemes[i - 1].start : 0, start - Math.round(CLOSURE_MAX_S * sampleRate));
      while (from - block >= limit && blockDb(from - block) < peakDb - CLOSURE_UNDER_PEAK_DB) from -= block;
    }
    spans.push({ phoneme, start: from, end });
  });
  return spans;
}

/** The p, b and m of the truth; with `closures` (default) a p or b takes in the silence of its closure. */
export function bilabialSpans(speech: SpokenText, closures = true): PhonemeSpan[] {
  return closureSpans(speech, closures).filter((s) => /^[pbm]$/.test(s.phoneme));
}

export interface ClosureScore {
  /** p, b and m sounds of the truth. */
  sounds: number;
  /** Of which at least one frame inside the sound is fully closed (open under `below`: the analyzer's 'closed'). */
  closedSounds: number;
  /** Frames inside p, b and m sounds. */
  frames: number;
  /** Of which are fully closed. */
  closedFrames: number;
}

/**
 * How well the mouth closes for p, b and m: `frames` in the stream's time of `speech` (as alignFrames takes them),
 * every one that falls inside a p, b or m counted, closed when its `open` is under `below` (default: the analyzer's
 * 'closed'). `strict` keeps espeak-ng's own event spans (no closure silence added).
 */
export function scoreClosures(speech: SpokenText, frames: VisemeFrame[], { strict = false, below = CLOSED_BELOW } = {}): ClosureScore {
  const spans = bilabialSpans(speech, !strict);
  const score: ClosureScore = { sounds: spans.length, closedSounds: 0, frames: 0, closedFrames: 0 };
  for (const span of spans) {
    let closed = 0;
    for (const f of frames) {
      const s = f.time * speech.sampleRate;
      if (s < span.start || s >= span.end) continue;
      score.frames++;
      if (f.open < below) closed++;
    }
    score.closedFrames += closed;
    if (closed > 0) score.closedSounds++;
  }
  return score;
}

export interface ConsonantScore {
  /** Sounds of the class in the truth (a p or b with its closure silence). */
  sounds: number;
  /** Of which at least one frame inside the sound weighs the class over 0.5. */
  detected: number;
  /** Vowel frames (of `vowels`), and those that weigh the class over 0.5. */
  vowelFrames: number;
  falseOnVowels: number;
}

/**
 * Per consonant class: how many of its sounds get a frame where that class weighs over 0.5 (`frames` in the stream's
 * time of `speech`), and how many vowel frames of `scored` (alignFrames of the same speech) do where none should.
 */
export function scoreConsonants(speech: SpokenText, frames: VisemeFrame[], scored: ScoredFrame[]): Record<Consonant, ConsonantScore> {
  const spans = closureSpans(speech, true);
  const out = {} as Record<Consonant, ConsonantScore>;
  const vowels = scored.filter((s) => s.truth !== 'closed' && s.truth !== 'other');
  for (const c of CONSONANTS) {
    out[c] = { sounds: 0, detected: 0, vowelFrames: vowels.length, falseOnVowels: 0 };
    for (const v of vowels) if ((v.frame.consonants?.[c] ?? 0) > 0.5) out[c].falseOnVowels++;
  }
  speech.phonemes.forEach(({ phoneme, start }, i) => {
    const c = phonemeToConsonant(phoneme);
    if (!c) return;
    const span = spans.find((s) => s.start <= start && s.end > start) ?? {
      start,
      end: speech.phonemes[i + 1]?.start ?? speech.samples.length,
    };
    out[c].sounds++;
    const hit = frames.some((f) => {
      const s = f.time * speech.sampleRate;
      return s >= span.start && s < span.end && (f.consonants?.[c] ?? 0) > 0.5;
    });
    if (hit) out[c].detected++;
  });
  return out;
}

export function addConsonantScores(into: Record<Consonant, ConsonantScore>, from: Record<Consonant, ConsonantScore>): void {
  for (const c of CONSONANTS) for (const k of Object.keys(from[c]) as (keyof ConsonantScore)[]) into[c][k] += from[c][k];
}

export const noConsonantScores = (): Record<Consonant, ConsonantScore> =>
  Object.fromEntries(CONSONANTS.map((c) => [c, { sounds: 0, detected: 0, vowelFrames: 0, falseOnVowels: 0 }])) as Record<
    Consonant,
    ConsonantScore
  >;
