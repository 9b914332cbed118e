/**
 * The mouth each espeak-ng phoneme mnemonic (`espeak-ng -x`) asks for, and how long it lasts against its word's
 * other phonemes. Vowels take their viseme from the truth harness's table (lipsync/phoneme-visemes.ts: one mapping,
 * VRM's meaning); consonants take the shapes of consonants.ts.
 */
import type { Consonant } from '../consonants.ts';
import { phonemeToConsonant, phonemeToViseme } from '../phoneme-visemes.ts';
import type { Viseme } from '../vowel-space.ts';

export interface PhonemeShape {
  /** Jaw opening at the phoneme's height, 0..1. */
  open: number;
  visemes: Partial<Record<Viseme, number>>;
  consonants: Partial<Record<Consonant, number>>;
  /** Relative duration inside a word (its typical milliseconds): a vowel outlasts a stop. */
  weight: number;
  /** A diphthong's end: the lips glide to this viseme over the phoneme's last part. */
  glide?: Viseme;
  /** A consonant whose lips follow the nearest vowel (t, k, n, h...): only the jaw is its own. */
  neutral?: boolean;
  /** A vowel: a slow or fast word stretches its vowels more than its consonants. */
  vowel?: boolean;
}

/** Jaw opening per vowel viseme: open "father" to the close vowels of "see" and "too". */
const VOWEL_OPEN: Record<Viseme, number> = { aa: 0.8, oh: 0.6, ee: 0.5, ih: 0.38, ou: 0.35 };

const GLIDES: Record<string, Viseme> = {
  aI: 'ih',
  'aI@': 'ee',
  aI3: 'ee',
  aU: 'ou',
  'aU@': 'ee',
  eI: 'ih',
  oU: 'ou',
  OI: 'ih',
  'i@': 'ee',
  'i@3': 'ee',
  'U@': 'ee',
  'e@': 'ee',
};

/** sh, zh, ch and j round the lips as well as closing the teeth. */
const ROUNDED = new Set(['S', 'Z', 'tS', 'dZ']);
const STOPS = new Set(['p', 'b', 't', 'd', 'k', 'g', '?', 't#', 'd#']);

/** Stress and syllable marks in `espeak-ng -x` output, not phonemes. */
const MARKS = /^['",%=]+|['",%=]+$/g;

/** The phoneme of one token of `espeak-ng -x --sep=' '` output, or null for a mark or pause (";", "_", "||"). */
export function phonemeOfToken(token: string): string | null {
  const name = token.replace(MARKS, '');
  if (name === '' || name.startsWith('_') || /^[;|:!-]+$/.test(name)) return null;
  return name;
}

/**
 * Median duration (ms) of each phoneme in espeak-ng's speech of the fit corpus (truth/corpus.ts's FIT_SENTENCES and
 * FIT_VOICES, none held out), from one phoneme event to the next: a stop's closure silence counts to the phoneme
 * before it, as the truth counts it. Others: 110 ms for a vowel, 65 ms for a consonant.
 */
const DURATION_MS: Record<string, number> = Object.fromEntries(
  (
    'n 85 t 45 D 50 d 70 l 50 s 80 I 75 b 45 p 35 @ 75 k 50 r 60 @2 70 z 100 i: 140 m 80 E 115 f 80 u: 110 w 95 a 80 ' +
    'V 95 eI 140 oU 150 O: 205 a# 85 aI 145 v 65 T 90 U 105 h 65 g 60 0 65 i 85 3 90 A@ 190 3: 150 S 100 j 75 @L 100 ' +
    'dZ 75 tS 65 aU 155 OI 170 N 120 I2 55 O@ 130 t# 45 O2 120 r- 45 I# 60 A: 150 U@ 135 e@ 135 aa 125 i@ 145 Z 55 o@ 135'
  )
    .match(/\S+ \d+/g)!
    .map((pair) => pair.split(' '))
    .map(([name, ms]) => [name, Number(ms)]),
);

export function shapeOf(phoneme: string): PhonemeShape {
  const shape = shapeWithoutDuration(phoneme);
  return { ...shape, weight: DURATION_MS[phoneme] ?? (shape.vowel ? 110 : 65) };
}

function shapeWithoutDuration(phoneme: string): PhonemeShape {
  const consonant = phonemeToConsonant(phoneme);
  if (consonant === 'pp') return { open: 0, visemes: {}, consonants: { pp: 1 }, weight: phoneme === 'm' ? 0.8 : 0.6 };
  if (consonant === 'ff') return { open: 0.08, visemes: {}, consonants: { ff: 1 }, weight: 0.8 };
  if (consonant === 'ss') {
    const rounded = ROUNDED.has(phoneme);
    return { open: 0.12, visemes: rounded ? { ou: 0.5 } : {}, consonants: { ss: 1 }, weight: rounded ? 0.9 : 0.8 };
  }
  if (consonant === 'th') return { open: 0.25, visemes: {}, consonants: { th: 1 }, weight: phoneme === 'l' ? 0.6 : 0.7 };
  const label = phonemeToViseme(phoneme);
  if (label !== 'closed' && label !== 'other') {
    if (phoneme === 'w') return { open: 0.15, visemes: { ou: 1 }, consonants: {}, weight: 0.6 };
    const glide = GLIDES[phoneme];
    const long = glide !== undefined ? 1.5 : phoneme.endsWith(':') ? 1.3 : phoneme.startsWith('@') ? 0.7 : 1;
    return {
      open: VOWEL_OPEN[label],
      visemes: { [label]: 1 },
      consonants: {},
      weight: 1.2 * long,
      vowel: true,
      ...(glide ? { glide } : {}),
    };
  }
  if (phoneme === 'r' || phoneme === 'r-') return { open: 0.22, visemes: { ou: 0.4 }, consonants: {}, weight: 0.6 };
  if (phoneme === 'j') return { open: 0.2, visemes: { ih: 0.6 }, consonants: {}, weight: 0.5 };
  if (phoneme === 'n-') return { open: 0.2, visemes: {}, consonants: {}, weight: 0.9, neutral: true };
  return { open: phoneme === 'h' ? 0.35 : 0.22, visemes: {}, consonants: {}, weight: STOPS.has(phoneme) ? 0.55 : 0.65, neutral: true };
}
