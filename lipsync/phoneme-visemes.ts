/**
 * The truth: espeak-ng's English phoneme mnemonics mapped to the five visemes, 'closed', or 'other'
 * (consonants the vowel score leaves out), and the consonant mouth shapes. The visemes have VRM's meaning, the five
 * Japanese vowels a i u e o:
 *
 * aa  open vowels:          a (trap), a# a2, A: A@ A (father, start), aI aI@ aI3 (price: starts open), aU aU@ (mouth), V (strut)
 * ih  close front, /i/:     i: (fleece, "see"), i (happy), i@ i@3 (near), I I2 I# (kit)
 * ou  close rounded, /u/:   u u: U U@ (goose, foot, cure), w
 * ee  mid, /e/:             E e e: eI e@ @ @2 @5 @L 3 3: (dress, "bed"; face, square, schwa, nurse "her")
 * oh  mid/open rounded, /o/: 0 (lot), O O: O@ O2 o o@ o: oU OI (thought, north, goat, choice)
 * closed:                   p b m, and pauses (_ _: _!)
 *
 * A mnemonic names a phoneme of the voice's phoneme table, and a few accents' tables sound some of them otherwise
 * (espeak-ng's phsource/ph_english_*: the ipa and FMT of each phoneme). A diphthong is labelled by its start, as above.
 */
import type { Consonant } from './consonants.ts';
import type { Viseme } from './vowel-space.ts';

export type TruthLabel = Viseme | 'closed' | 'other';

const TABLE: Record<string, Viseme> = {};
const add = (v: Viseme, names: string): void => {
  for (const n of names.split(' ')) TABLE[n] = v;
};
add('aa', 'a a# a2 A: A@ A aI aI@ aI3 aU aU@ V');
add('ih', 'i: i i@ i@3 I I2 I#');
add('ou', 'u u: U U@ w');
add('ee', 'E e e: eI e@ @ @2 @5 @L 3 3:');
add('oh', '0 O O: O@ O2 o o@ o: oU OI');

/** Per phoneme table (a voice file's `phonemes` line), the vowels it sounds as another viseme. */
const ACCENTS: Record<string, Record<string, Viseme>> = {
  // ph_english_n (Lancaster): strut is [ʊ] (vowel/o-_2); happy's i is [e] (vowel/e_2).
  'en-n': { V: 'ou', i: 'ee' },
  // ph_english_wm (West Midlands): strut [ʊ], price [ɔɪ], fleece [ei], goose [əu], goat [ʌʊ].
  'en-wm': { V: 'ou', aI: 'oh', 'i:': 'ee', 'u:': 'ee', oU: 'aa' },
  // ph_english_wi (Caribbean): lot is unrounded open (vowel/aa#), strut and nurse are [ɔ] (vowel/oo_4).
  'en-wi': { 0: 'aa', V: 'oh', '3:': 'oh' },
  // ph_english_us (America): lot is [ɑː] (vowel/aa_8), and O, O2 unrounded (vowel/aa#).
  'en-us': { 0: 'aa', O: 'aa', O2: 'aa' },
  // ph_english_sc (Scotland): kit is [ɘ] (vowel/e#), happy's i is [e].
  'en-sc': { I: 'ee', I2: 'ee', 'I#': 'ee', i: 'ee' },
};

/** The viseme of `mnemonic` as a voice with phoneme table `phonemes` (default: espeak-ng's `en`) sounds it. */
export function phonemeToViseme(mnemonic: string, phonemes = 'en'): TruthLabel {
  if (mnemonic.startsWith('_')) return 'closed';
  if (mnemonic === 'p' || mnemonic === 'b' || mnemonic === 'm') return 'closed';
  return ACCENTS[phonemes]?.[mnemonic] ?? TABLE[mnemonic] ?? 'other';
}

const CONSONANT_TABLE: Record<string, Consonant> = {};
for (const [c, names] of [
  ['pp', 'p b m'],
  ['ff', 'f v'],
  ['ss', 's z S Z tS dZ'], // s z, sh and the s of "measure", ch and j
  ['th', 'T D l l/ L'], // th of "thin" and "this", l (clear and dark)
] as const) {
  for (const n of names.split(' ')) CONSONANT_TABLE[n] = c;
}

/** The consonant mouth shape of `mnemonic`, or null (vowels, pauses, and consonants with no shape of their own). */
export function phonemeToConsonant(mnemonic: string): Consonant | null {
  return CONSONANT_TABLE[mnemonic] ?? null;
}
