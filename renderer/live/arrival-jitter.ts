/** Chunks remembered: about two to four seconds of a stream of 20-40 ms chunks. */
const WINDOW = 100;
/** Fewer chunks than this say nothing yet: the full delay is held. */
const MIN_CHUNKS = 10;
/** Added to the measured jitter: a timer tick's worth, so a chunk exactly as late as the worst seen still plays. */
const MARGIN_MS = 10;
/** Never less, so that a chunk cut into 10 ms slots has a slot of slack. */
const FLOOR_MS = 20;

/**
 * How long speech should wait before it plays, from how irregularly it arrives: for each chunk of an utterance, how
 * much later it came than the previous chunk's duration (the inter-arrival jitter a jitter buffer must absorb, as
 * WebRTC's NetEq measures it). The delay is the 95th percentile of the recent ones plus a margin, at most `maxMs`
 * (LIVE_JITTER_MS). An agent that streams evenly gets its speech played sooner; one whose chunks come in bursts or
 * late keeps the full delay. A sender slower than real time starves any buffer: those underruns are not jitter.
 */
export class ArrivalJitter {
  private readonly lateness: number[] = [];
  private next = 0;
  private previous: { at: number; durationMs: number } | null = null;

  constructor(private readonly maxMs: number) {}

  /** A chunk of `durationMs` of speech arrived at `atMs`; `continues` is false for an utterance's first chunk. */
  arrived(atMs: number, durationMs: number, continues: boolean): void {
    const previous = this.previous;
    this.previous = { at: atMs, durationMs };
    if (!continues || previous === null) return;
    // Early chunks (a burst, a TTS faster than real time) cost nothing; a late one counts at most the whole delay.
    const late = Math.min(this.maxMs, Math.max(0, atMs - previous.at - previous.durationMs));
    if (this.lateness.length < WINDOW) this.lateness.push(late);
    else this.lateness[this.next] = late;
    this.next = (this.next + 1) % WINDOW;
  }

  /** The delay to hold speech for now (ms). */
  get delayMs(): number {
    if (this.lateness.length < MIN_CHUNKS) return this.maxMs;
    const sorted = [...this.lateness].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
    return Math.min(this.maxMs, Math.max(FLOOR_MS, Math.ceil(p95 + MARGIN_MS)));
  }
}
