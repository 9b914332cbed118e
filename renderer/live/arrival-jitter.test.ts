import { describe, expect, it } from 'vitest';
import { ArrivalJitter } from './arrival-jitter.ts';
import { type PlayoutEvent, SpeechPlayout } from './speech-playout.ts';

/** `count` chunks of `chunkMs` from `startMs`, each `lateMs(k)` after its due time (due: the previous one's end). */
function stream(jitter: ArrivalJitter, count: number, chunkMs: number, lateMs: (k: number) => number = () => 0, startMs = 0): number {
  let at = startMs;
  for (let k = 0; k < count; k++) {
    jitter.arrived(at, chunkMs, k > 0);
    at += chunkMs + lateMs(k + 1);
  }
  return at;
}

describe('ArrivalJitter', () => {
  it('holds the full delay until it has seen enough of the stream', () => {
    const jitter = new ArrivalJitter(80);
    expect(jitter.delayMs).toBe(80);
    stream(jitter, 5, 40);
    expect(jitter.delayMs).toBe(80);
  });

  it('shortens the delay to its floor for a stream that arrives evenly, or early (a burst)', () => {
    const even = new ArrivalJitter(80);
    stream(even, 50, 20);
    expect(even.delayMs).toBe(20);
    const burst = new ArrivalJitter(80);
    for (let k = 0; k < 50; k++) burst.arrived(k, 40, k > 0); // 2 s of speech within 50 ms
    expect(burst.delayMs).toBe(20);
  });

  it("covers the late chunks' 95th percentile plus a margin, and never more than the configured delay", () => {
    const jitter = new ArrivalJitter(80);
    stream(jitter, 100, 20, (k) => (k % 10 === 0 ? 30 : 2)); // one chunk in ten 30 ms late
    expect(jitter.delayMs).toBe(40);
    const stalls = new ArrivalJitter(80);
    stream(stalls, 100, 20, (k) => (k % 5 === 0 ? 500 : 0)); // a stalled sender: capped
    expect(stalls.delayMs).toBe(80);
  });

  it('forgets old jitter, and does not count the silence between utterances', () => {
    const jitter = new ArrivalJitter(80);
    const end = stream(jitter, 100, 20, (k) => (k % 2 ? 40 : 0));
    expect(jitter.delayMs).toBe(50);
    const later = stream(jitter, 100, 20, () => 0, end + 5000); // the next utterance, 5 s later, arriving evenly
    expect(jitter.delayMs).toBe(20);
    stream(jitter, 20, 20, () => 0, later + 3000);
    expect(jitter.delayMs).toBe(20);
  });

  it('keeps a zero delay at zero', () => {
    const jitter = new ArrivalJitter(0);
    stream(jitter, 50, 20, (k) => k % 7);
    expect(jitter.delayMs).toBe(0);
  });
});

describe('SpeechPlayout with an even stream', () => {
  it('plays the first utterance after the full delay and, once the stream proved even, the next ones sooner', () => {
    const events: { event: PlayoutEvent; at: number }[] = [];
    let now = 0;
    const player = new SpeechPlayout({
      sampleRate: 16000,
      jitterMs: 80,
      finishAfterMs: 250,
      onEvent: (event) => events.push({ event, at: now }),
    });
    const chunk = new Uint8Array(640).fill(3); // 20 ms at 16 kHz, a faint hum
    const utterance = (from: number) => {
      // 1 s of speech sent in real time (20 ms chunks), played on the 10 ms clock, then silence until it finishes.
      for (now = from; now < from + 2000; now += 10) {
        if (now < from + 1000 && (now - from) % 20 === 0) player.receive(chunk, now);
        player.next(now);
      }
    };
    utterance(0);
    utterance(5000);
    const starts = events.filter((e) => e.event === 'playback_started').map((e) => e.at);
    expect(starts).toEqual([80, 5020]);
    expect(events.filter((e) => e.event === 'playback_finished')).toHaveLength(2);
    expect(player.delayMs).toBe(20);
  });
});
