/**
 * The truth: espeak-ng's English phoneme mnemonics mapped to the five visemes, 'closed', or 'other'
 * (consonants the tests do not score). The visemes have VRM's meaning, the five Japanese vowels a i u e o:
 *
 * aa  open vowels:          a (trap), a# a2, A: A@ A (father, start), aI aI@ aI3 (price: starts open), aU aU@ (mouth), V (strut)
 * ih  close front, /i/:     i: (fleece, "see"), i (happy), i@ i@3 (near), I I2 I# (kit)
 * ou  close rounded, /u/:   u u: U U@ (goose, foot, cure), w
 * ee  mid, /e/:             E e e: (dress, "bed"), eI (face), e@ (square), @ @2 @5 @L (schwa), 3 3: (nurse, "her")
 * oh  mid/open rounded, /o/: 0 (lot), O O: O@ O2 o o@ o: (thought, north), oU (goat), OI (choice)
 * closed:                   p b m, and pauses (_ _: _!)
 */
import type { Viseme } from '../vowel-space.ts';

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

export function phonemeToViseme(mnemonic: string): TruthLabel {
  if (mnemonic.startsWith('_')) return 'closed';
  if (mnemonic === 'p' || mnemonic === 'b' || mnemonic === 'm') return 'closed';
  return TABLE[mnemonic] ?? 'other';
}
