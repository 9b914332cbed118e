/**
 * The truth: espeak-ng's English phoneme mnemonics mapped to the five visemes, 'closed', or 'other'
 * (consonants the tests do not score).
 *
 * aa  open vowels:        a (trap), a# a2, A: A@ A (father, start), aI aI@ aI3 (price: starts open), aU aU@ (mouth), V (strut)
 * ih  lax/central vowels: I I2 I# (kit), i (happy), @ @2 @5 @L (schwa), 3 3: (nurse)
 * ou  close rounded:      u u: U U@ (goose, foot, cure), w
 * ee  front vowels:       i: (fleece), i@ i@3 (near), e e: eI (face), E e@ (dress, square)
 * oh  mid/open rounded:   0 (lot), O O: O@ O2 o o@ o: (thought, north), oU (goat), OI (choice)
 * closed:                 p b m, and pauses (_ _: _!)
 */
import type { Viseme } from '../vowel-space.ts';

export type TruthLabel = Viseme | 'closed' | 'other';

const TABLE: Record<string, Viseme> = {};
const add = (v: Viseme, names: string): void => {
  for (const n of names.split(' ')) TABLE[n] = v;
};
add('aa', 'a a# a2 A: A@ A aI aI@ aI3 aU aU@ V');
add('ih', 'I I2 I# i @ @2 @5 @L 3 3:');
add('ou', 'u u: U U@ w');
add('ee', 'i: i@ i@3 e e: eI E e@');
add('oh', '0 O O: O@ O2 o o@ o: oU OI');

export function phonemeToViseme(mnemonic: string): TruthLabel {
  if (mnemonic.startsWith('_')) return 'closed';
  if (mnemonic === 'p' || mnemonic === 'b' || mnemonic === 'm') return 'closed';
  return TABLE[mnemonic] ?? 'other';
}
