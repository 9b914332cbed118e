/**
 * Spreads each word's phonemes over the word's [start, end] by their relative durations (phoneme-shapes.ts: vowels
 * longer than stops), as a TTS's word timings and a phonemizer's output give them.
 */
import { type PhonemeShape, shapeOf } from './phoneme-shapes.ts';

export interface TimedWord {
  /** Seconds, on whatever clock the caller keeps (the track keeps it). */
  start: number;
  end: number;
  /** espeak-ng mnemonics, stress marks removed. */
  phonemes: readonly string[];
}

export interface TimedPhoneme {
  phoneme: string;
  shape: PhonemeShape;
  start: number;
  end: number;
}

/** Words without phonemes or without duration give none: their time is left to the audio. */
export function alignPhonemes(words: readonly TimedWord[]): TimedPhoneme[] {
  const out: TimedPhoneme[] = [];
  for (const word of words) {
    const duration = word.end - word.start;
    if (!(duration > 0) || word.phonemes.length === 0) continue;
    const shapes = word.phonemes.map(shapeOf);
    // Vowels stretch by k, consonants by sqrt(k) (a slow word has long vowels, not long stops): V k + C sqrt(k) = D.
    const vowels = shapes.reduce((sum, s) => sum + (s.vowel ? s.weight / 1000 : 0), 0);
    const consonants = shapes.reduce((sum, s) => sum + (s.vowel ? 0 : s.weight / 1000), 0);
    const root =
      vowels > 0 ? (-consonants + Math.sqrt(consonants * consonants + 4 * vowels * duration)) / (2 * vowels) : duration / consonants;
    const lengthOf = (s: PhonemeShape) => (s.weight / 1000) * (s.vowel ? root * root : root);
    let at = word.start;
    shapes.forEach((shape, i) => {
      const end = i === shapes.length - 1 ? word.end : at + lengthOf(shape);
      out.push({ phoneme: word.phonemes[i], shape, start: at, end });
      at = end;
    });
  }
  return out;
}
