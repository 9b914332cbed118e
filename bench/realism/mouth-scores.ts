/** What the judge's measures say of a drive: how the aperture follows the speech, closure on p/b/m, spread against rounding. */
import type { SpeechFrame } from './speech-frames.ts';
import type { SoundClass } from './spoken-sounds.ts';

export interface JudgedFrame {
  frame: SpeechFrame;
  aperture: number;
  gapOverWidth: number;
  width: number;
}

export interface MouthScores {
  /** Pearson correlation of the judge's aperture with the spoken openness, over every frame with a face. */
  correlation: number;
  /** The same with the gap over the mouth's width. */
  correlationOverWidth: number;
  /** The same over the frames of sounds only, pauses left out (they show the photo's own mouth). */
  correlationSounds: number;
  restAperture: number;
  vowelAperture: number;
  pbmAperture: number;
  /** p/b/m frames whose lips meet. */
  pbmFramesClosed: number;
  pbmFrames: number;
  /** p/b/m sounds with at least one frame whose lips meet. */
  pbmSoundsClosed: number;
  pbmSounds: number;
  /** Vowel frames whose lips meet (they should not). */
  vowelFramesClosed: number;
  /** Mean mouth width (over the eyes' distance) per sound class. */
  width: Partial<Record<SoundClass, number>>;
  /** Mean aperture per sound class. */
  apertureOf: Partial<Record<SoundClass, number>>;
}

const VOWELS: readonly SoundClass[] = ['aa', 'ih', 'ee', 'oh', 'ou'];
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function pearson(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** `lipsMeetBelow`: the aperture under which the lips count as meeting. */
export function scoreMouths(judged: JudgedFrame[], lipsMeetBelow: number): MouthScores {
  const of = (keep: (s: SoundClass) => boolean) => judged.filter((j) => keep(j.frame.sound));
  const pbm = of((s) => s === 'pbm');
  const vowels = of((s) => VOWELS.includes(s));
  const closedSounds = new Set(pbm.filter((j) => j.aperture < lipsMeetBelow).map((j) => j.frame.soundId));
  const width: MouthScores['width'] = {};
  const apertureOf: MouthScores['apertureOf'] = {};
  for (const sound of new Set(judged.map((j) => j.frame.sound))) {
    width[sound] = mean(of((s) => s === sound).map((j) => j.width));
    apertureOf[sound] = mean(of((s) => s === sound).map((j) => j.aperture));
  }
  return {
    correlation: pearson(
      judged.map((j) => j.aperture),
      judged.map((j) => j.frame.spokenOpen),
    ),
    correlationOverWidth: pearson(
      judged.map((j) => j.gapOverWidth),
      judged.map((j) => j.frame.spokenOpen),
    ),
    correlationSounds: pearson(
      of((s) => s !== 'rest').map((j) => j.aperture),
      of((s) => s !== 'rest').map((j) => j.frame.spokenOpen),
    ),
    restAperture: mean(of((s) => s === 'rest').map((j) => j.aperture)),
    vowelAperture: mean(vowels.map((j) => j.aperture)),
    pbmAperture: mean(pbm.map((j) => j.aperture)),
    pbmFramesClosed: pbm.filter((j) => j.aperture < lipsMeetBelow).length,
    pbmFrames: pbm.length,
    pbmSoundsClosed: closedSounds.size,
    pbmSounds: new Set(pbm.map((j) => j.frame.soundId)).size,
    vowelFramesClosed: vowels.filter((j) => j.aperture < lipsMeetBelow).length,
    width,
    apertureOf,
  };
}
