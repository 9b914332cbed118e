import { createRandom } from './seeded-random.ts';

/** The idle pose at one instant, in units the face rig turns into pixels. */
export interface IdlePose {
  /** 0 open .. 1 closed, for both eyes. */
  blink: number;
  /** Where the irises look, -1..1 of their travel: x to the image's right, y down. */
  gazeX: number;
  gazeY: number;
  /** Head roll in radians and shift in face heights. */
  headRoll: number;
  headX: number;
  headY: number;
  /** Vertical breathing offset in face heights. */
  breath: number;
}

export const STILL_POSE: IdlePose = { blink: 0, gazeX: 0, gazeY: 0, headRoll: 0, headX: 0, headY: 0, breath: 0 };

export interface Blink {
  start: number;
  duration: number;
}

interface Fixation {
  start: number;
  x: number;
  y: number;
}

/** Fraction of a blink spent closing, held shut, then opening: lids fall fast and rise slower. */
const CLOSING = 0.35;
const CLOSED = 0.2;
const SACCADE_SECONDS = 0.045;
const BREATH_HZ = 0.25;

/**
 * A seeded idle-motion timeline. Events (blinks, gaze fixations) are drawn lazily in time order from one PRNG,
 * so the pose at t depends only on the seed and t, whatever order frames are asked in.
 */
export class IdleMotion {
  private readonly blinks: Blink[] = [];
  private readonly fixations: Fixation[] = [];
  private readonly blinkRandom: () => number;
  private readonly gazeRandom: () => number;
  private readonly sway: { amplitude: number; hz: number; phase: number }[][];

  constructor(seed: number) {
    const root = createRandom(seed);
    this.blinkRandom = createRandom((root() * 2 ** 32) >>> 0);
    this.gazeRandom = createRandom((root() * 2 ** 32) >>> 0);
    // Three incommensurate slow sines per channel (roll, x, y): smooth, never quite repeating.
    this.sway = [0.028, 0.012, 0.008].map((amplitude) =>
      [0.5, 0.3, 0.2].map((share) => ({
        amplitude: amplitude * share,
        hz: 0.06 + root() * 0.22,
        phase: root() * 2 * Math.PI,
      })),
    );
    // The first blink comes early so even a short preview shows one.
    this.blinks.push({ start: 0.4 + this.blinkRandom() * 1.2, duration: this.blinkDuration() });
    this.fixations.push({ start: 0, x: 0, y: 0 });
  }

  /** Blinks that start before `untilSeconds`. */
  blinkSchedule(untilSeconds: number): Blink[] {
    this.extendBlinks(untilSeconds);
    return this.blinks.filter((b) => b.start < untilSeconds).map((b) => ({ ...b }));
  }

  pose(t: number): IdlePose {
    return {
      blink: this.blinkAt(t),
      ...this.gazeAt(t),
      headRoll: this.swayAt(0, t),
      headX: this.swayAt(1, t),
      headY: this.swayAt(2, t),
      breath: 0.012 * Math.sin(2 * Math.PI * BREATH_HZ * t),
    };
  }

  private blinkDuration(): number {
    return 0.1 + this.blinkRandom() * 0.05;
  }

  private extendBlinks(until: number): void {
    while (this.blinks[this.blinks.length - 1].start <= until) {
      const last = this.blinks[this.blinks.length - 1];
      // About one blink in six is doubled, the second right after the first.
      const double = this.blinkRandom() < 0.16;
      const gap = double ? 0.08 + this.blinkRandom() * 0.1 : 2 + this.blinkRandom() * 4;
      this.blinks.push({ start: last.start + last.duration + gap, duration: this.blinkDuration() });
    }
  }

  private blinkAt(t: number): number {
    this.extendBlinks(t);
    return blinkClosure(this.blinks, t);
  }

  private gazeAt(t: number): { gazeX: number; gazeY: number } {
    while (this.fixations[this.fixations.length - 1].start <= t) {
      const r = this.gazeRandom;
      const last = this.fixations[this.fixations.length - 1];
      // Mostly back near the centre (talking to the viewer), sometimes a glance aside.
      const aside = r() < 0.35;
      const x = aside ? (r() * 2 - 1) * 0.9 : (r() * 2 - 1) * 0.25;
      const y = aside ? (r() * 2 - 1) * 0.5 : (r() * 2 - 1) * 0.15;
      this.fixations.push({ start: last.start + 0.6 + r() * 2.2, x, y });
    }
    let k = this.fixations.length - 1;
    while (this.fixations[k].start > t) k--;
    const current = this.fixations[k];
    const previous = k > 0 ? this.fixations[k - 1] : current;
    const s = smooth(Math.min(1, (t - current.start) / SACCADE_SECONDS));
    return { gazeX: previous.x + (current.x - previous.x) * s, gazeY: previous.y + (current.y - previous.y) * s };
  }

  private swayAt(channel: number, t: number): number {
    let sum = 0;
    for (const wave of this.sway[channel]) sum += wave.amplitude * Math.sin(2 * Math.PI * wave.hz * t + wave.phase);
    return sum;
  }
}

/** Lid closure 0..1 at t of the blink under way among `blinks` (0 between blinks). */
export function blinkClosure(blinks: readonly Blink[], t: number): number {
  for (const b of blinks) {
    if (t < b.start || t > b.start + b.duration) continue;
    const phase = (t - b.start) / b.duration;
    if (phase < CLOSING) return smooth(phase / CLOSING);
    if (phase < CLOSING + CLOSED) return 1;
    return 1 - smooth((phase - CLOSING - CLOSED) / (1 - CLOSING - CLOSED));
  }
  return 0;
}

/** Smoothstep of x clamped to 0..1: eases in and out, with no jump in speed at either end. */
export function smooth(x: number): number {
  const c = x < 0 ? 0 : x > 1 ? 1 : x;
  return c * c * (3 - 2 * c);
}
