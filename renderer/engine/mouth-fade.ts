import type { MouthInput } from './face-rig.ts';

const KEYS = ['open', 'aa', 'ih', 'ou', 'ee', 'oh', 'pp', 'ff', 'ss', 'th'] as const;
const VISEMES = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;
const CONSONANTS = ['pp', 'ff', 'ss', 'th'] as const;

/** Seconds a shape takes to fall from full to nothing: a few frames, so the rest pose never pops in. */
export const MOUTH_RELEASE_SECONDS = 0.09;
/**
 * Pressed lips part within a frame into the next sound (the release of a p, b or m opens them at once); into the rest
 * pose they fade over MOUTH_RELEASE_SECONDS like every shape.
 */
export const LIPS_PART_SECONDS = 0.03;
/**
 * Lips held pressed longer than a bilabial closure lasts (p, b, m: 60-150 ms) are a pause, not a consonant: the
 * mouth relaxes into the photo's own, so pauses look like the end of speech instead of flipping between the two.
 */
export const PRESS_HOLD_SECONDS = 0.2;
const PRESS_RELAX_SECONDS = 0.12;
/** Frames further apart than this (or out of order) are not a sequence: draw the input as it is. */
const MAX_STEP_SECONDS = 0.25;

/**
 * The mouth actually drawn, from the mouth asked for: shapes rise at once (closing on p/b/m must not lag) and fall
 * at most 1/MOUTH_RELEASE_SECONDS a second, so speech fades into the rest pose, and no input is the photo's mouth.
 * State follows consecutive frames only; a lone frame (or a jump in time) shows its input unchanged, so frames stay
 * a pure function of their inputs and of the frames just before them.
 */
export class MouthFade {
  private lastT = Number.NaN;
  private readonly shown = new Float64Array(KEYS.length);
  private readonly target = new Float64Array(KEYS.length);
  private pressHeld = 0;

  apply(t: number, mouth: MouthInput | undefined): MouthInput | undefined {
    const target = this.target;
    target[0] = clamp01(mouth?.open ?? 0);
    for (let k = 0; k < VISEMES.length; k++) target[1 + k] = clamp01(mouth?.visemes?.[VISEMES[k]] ?? 0);
    for (let k = 0; k < CONSONANTS.length; k++) target[6 + k] = clamp01(mouth?.consonants?.[CONSONANTS[k]] ?? 0);
    const dt = t - this.lastT;
    const sequence = dt > 0 && dt <= MAX_STEP_SECONDS;
    this.lastT = t;
    const pp = 6;
    if (sequence && target[pp] >= 0.5) this.pressHeld += dt;
    else this.pressHeld = 0;
    if (this.pressHeld > PRESS_HOLD_SECONDS) target[pp] *= clamp01(1 - (this.pressHeld - PRESS_HOLD_SECONDS) / PRESS_RELAX_SECONDS);
    let otherShape = 0; // the strongest shape asked for besides pressed lips: the sound the lips part into
    for (let k = 0; k < KEYS.length; k++) if (k !== pp) otherShape = Math.max(otherShape, target[k]);
    for (let k = 0; k < KEYS.length; k++) {
      const shown = this.shown[k];
      const falls = k === pp && otherShape > 0.1 ? LIPS_PART_SECONDS : MOUTH_RELEASE_SECONDS;
      this.shown[k] = !sequence || target[k] >= shown ? target[k] : Math.max(target[k], shown - dt / falls);
    }
    if (this.shown.every((w) => w === 0)) return undefined;
    const s = this.shown;
    return {
      open: s[0],
      visemes: { aa: s[1], ih: s[2], ou: s[3], ee: s[4], oh: s[5] },
      consonants: { pp: s[6], ff: s[7], ss: s[8], th: s[9] },
    };
  }
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
