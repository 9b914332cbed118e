import type { ExpressionWeights } from '../../contract/expressions.ts';

/**
 * What drives one portrait frame beyond idle motion and the mouth: the emotion shown and the motion of a face that
 * talks or listens. Each part is optional; absent parts leave the idle face as it is, so a frame without a
 * FaceState (or with an empty one) is byte-identical to the idle frame.
 */
export interface FaceState {
  /** Emotion weights (ExpressionTrack.weightsAt(t) eases them between requests). */
  expression?: ExpressionWeights;
  /** Speech-driven motion (SpeechMotion.at(t)). */
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
  /** 0..1: how much the idle gaze is drawn to the viewer (a listener looks at whoever speaks). */
  attend?: number;
  /**
   * True when `blink` carries every blink (SpeechMotion schedules its spontaneous blinks around the ones at
   * phrase boundaries): the idle blinks are then left out instead of doubling them.
   */
  ownsBlinks?: boolean;
}
