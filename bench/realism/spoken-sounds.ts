/**
 * What the speech says the mouth does, from espeak-ng's phonemes: a sound class per phoneme, how open the mouth is
 * on it ("spoken openness", the figure the judge's aperture is correlated with), and the MouthInput that draws it
 * (the renderer driven by the truth, the upper bound of what the analyzer could give it).
 *
 * Openness follows the jaw and lips of each class: closed on p/b/m and pauses, the lower lip at the teeth on f/v,
 * teeth together on s/z/sh/ch, then the vowels from close to open (/u/ and /i/, then /e/ and schwa, /o/, /a/).
 * The other consonants (t d n k g r j h ng) take their shape from the vowels around them; 0.3 stands for that.
 */
import type { Consonant } from '../../lipsync/consonants.ts';
import { phonemeToViseme } from '../../lipsync/phoneme-visemes.ts';
import type { MouthInput } from '../../renderer/engine/face-rig.ts';

export const SOUND_CLASSES = ['rest', 'aa', 'ih', 'ee', 'oh', 'ou', 'pbm', 'fv', 'sz', 'thl', 'other'] as const;
export type SoundClass = (typeof SOUND_CLASSES)[number];

export const SOUND_LABELS: Record<SoundClass, string> = {
  rest: 'rest (pause)',
  aa: 'aa  (father)',
  ih: 'ih  (see)',
  ee: 'ee  (bed)',
  oh: 'oh  (go)',
  ou: 'ou  (blue)',
  pbm: 'p b m',
  fv: 'f v',
  sz: 's z sh ch',
  thl: 'th l',
  other: 'other',
};

export const SPOKEN_OPENNESS: Record<SoundClass, number> = {
  rest: 0,
  pbm: 0,
  fv: 0.1,
  sz: 0.15,
  ou: 0.3,
  ih: 0.35,
  thl: 0.3,
  other: 0.3,
  ee: 0.55,
  oh: 0.75,
  aa: 1,
};

const CONSONANT_OF: Partial<Record<SoundClass, Consonant>> = { pbm: 'pp', fv: 'ff', sz: 'ss', thl: 'th' };

/** The class of an espeak-ng mnemonic; `bilabial` when the moment lies in a p/b/m span with its closure. */
export function soundClassOf(phoneme: string, bilabial: boolean): SoundClass {
  if (bilabial) return 'pbm';
  if (phoneme.startsWith('_')) return 'rest';
  if (phoneme === 'f' || phoneme === 'v') return 'fv';
  if (['s', 'z', 'S', 'Z', 'tS', 'dZ'].includes(phoneme)) return 'sz';
  if (['T', 'D', 'l', 'l/'].includes(phoneme)) return 'thl';
  const viseme = phonemeToViseme(phoneme);
  return viseme === 'closed' ? 'pbm' : viseme === 'other' ? 'other' : viseme;
}

/** The mouth the truth asks for: its openness, its one vowel or consonant shape at full weight. */
export function truthMouth(sound: SoundClass): MouthInput {
  const mouth: MouthInput = { open: SPOKEN_OPENNESS[sound] };
  if (sound === 'aa' || sound === 'ih' || sound === 'ee' || sound === 'oh' || sound === 'ou') mouth.visemes = { [sound]: 1 };
  const consonant = CONSONANT_OF[sound];
  if (consonant) mouth.consonants = { [consonant]: 1 };
  return mouth;
}
