import type { ExpressionWeights } from '../../contract/expressions.ts';

/**
 * What drives one portrait frame beyond idle motion and the mouth: the emotion shown and the motion of a face that
 * talks or listens. Each part is optional; absent parts leave the idle face as it is.
 */
export interface FaceState {
  expression?: ExpressionWeights;
  talk?: TalkMotion;
}

/** Speech-driven motion, added to the idle pose (renderer/engine/speech-motion.ts computes it from the speech). */
export interface TalkMotion {
  /** Head pitch as a vertical shift, in face heights (positive: down, a nod). */
  nod: number;
  /** Extra head roll, radians. */
  tilt: number;
  /** Brow raise 0..1 (emphasis). */
  brows: number;
  /** Extra eyelid closure 0..1 (a blink at a phrase boundary), combined with idle blinks by max. */
  blink: number;
}
