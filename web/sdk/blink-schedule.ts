/**
 * When the eyes blink: intervals of 2 to 6 s, not evenly spread (people blink in bursts and pauses), and now and then
 * a double blink. `value(t, since)` is the eyelid closure 0..1 for a frame drawn at time t seconds whose last frame was
 * drawn at `since`: the most the lids closed in between, so a slow or stalled frame loop still shows every blink.
 */
export interface BlinkSchedule {
  value(t: number, since?: number): number;
}

const CLOSE = 0.06; // s to close
const HOLD = 0.04; // s closed
const OPEN = 0.12; // s to open: lids rise slower than they fall
const BLINK = CLOSE + HOLD + OPEN;
const DOUBLE_CHANCE = 0.15;
const DOUBLE_GAP = 0.1; // s open between the two blinks of a double

export function createBlinkSchedule(random: () => number = Math.random, start = 0): BlinkSchedule {
  const next = (from: number) => {
    // Two uniforms averaged: most waits near 4 s, a few near 2 s or 6 s.
    const wait = 2 + 4 * ((random() + random()) / 2);
    const starts = [from + wait];
    if (random() < DOUBLE_CHANCE) starts.push(starts[0] + BLINK + DOUBLE_GAP);
    return starts;
  };
  // The blinks before the current ones too: a frame interval of up to the shortest wait (2 s) can reach back to them.
  let previous: number[] = [];
  let blinks = next(start);
  return {
    value(t, since = t) {
      while (t >= blinks[blinks.length - 1] + BLINK) {
        previous = blinks;
        blinks = next(blinks[blinks.length - 1] + BLINK);
      }
      const from = Math.min(since, t);
      let v = 0;
      for (const starts of [previous, blinks]) for (const s of starts) v = Math.max(v, peakClosure(from - s, t - s));
      return v;
    },
  };
}

/** The most closure over [from, to] seconds into a blink: it rises, holds at 1, and falls. */
function peakClosure(from: number, to: number): number {
  if (from <= CLOSE + HOLD && to >= CLOSE) return 1;
  return to < CLOSE ? closure(to) : closure(from);
}

function closure(dt: number): number {
  if (dt < 0 || dt >= BLINK) return 0;
  if (dt < CLOSE) return smooth(dt / CLOSE);
  if (dt < CLOSE + HOLD) return 1;
  return 1 - smooth((dt - CLOSE - HOLD) / OPEN);
}

const smooth = (x: number) => x * x * (3 - 2 * x);
