/**
 * When the eyes blink: intervals of 2 to 6 s, not evenly spread (people blink in bursts and pauses), and now and then
 * a double blink. `value(t)` is the eyelid closure 0..1 at time t seconds.
 */
export interface BlinkSchedule {
  value(t: number): number;
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
  let blinks = next(start);
  return {
    value(t) {
      while (t >= blinks[blinks.length - 1] + BLINK) blinks = next(blinks[blinks.length - 1] + BLINK);
      let v = 0;
      for (const s of blinks) v = Math.max(v, closure(t - s));
      return v;
    },
  };
}

function closure(dt: number): number {
  if (dt < 0 || dt >= BLINK) return 0;
  if (dt < CLOSE) return smooth(dt / CLOSE);
  if (dt < CLOSE + HOLD) return 1;
  return 1 - smooth((dt - CLOSE - HOLD) / OPEN);
}

const smooth = (x: number) => x * x * (3 - 2 * x);
