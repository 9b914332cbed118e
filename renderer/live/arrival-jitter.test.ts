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

describe('SpeechPlayout catching up in silence', () => {
  it('takes the surplus delay back from a pause, never from sound, once the stream proved even', () => {
    const rate = 16000;
    let now = 0;
    const player = new SpeechPlayout({ sampleRate: rate, jitterMs: 80, finishAfterMs: 250, onEvent: () => {} });
    // 1 s of "sound" (a ramp, never silent), 0.5 s of silence, 1 s of sound: streamed in real time in 40 ms chunks.
    const sound = (seconds: number, from: number) => Int16Array.from({ length: seconds * rate }, (_, i) => 1000 + ((from + i) % 5000));
    const stream = new Int16Array([...sound(1, 0), ...new Int16Array(rate / 2), ...sound(1, rate)]);
    const bytes = new Uint8Array(stream.buffer);
    const played: number[] = [];
    const queued: number[] = [];
    for (now = 0; now < 4000; now += 10) {
      if (now % 40 === 0 && now * 32 < bytes.length) player.receive(bytes.subarray(now * 32, (now + 40) * 32), now);
      const slot = player.next(now);
      if (slot.speechSample !== null) played.push(...slot.samples);
      if (now % 40 === 0) queued.push(player.queuedMs);
    }
    // Every sample of sound played, in order; only silence went.
    const audible = (xs: Iterable<number>) => [...xs].filter((x) => x !== 0);
    expect(audible(played)).toEqual(audible(stream));
    const skippedMs = ((stream.length - played.length) / rate) * 1000;
    expect(skippedMs).toBe(60); // the 80 ms it started with, less the 20 ms this even stream needs
    // Before the pause speech waited 80 ms (about 120 queued as a chunk arrives); after it, 20 ms.
    expect(queued[20]).toBeGreaterThanOrEqual(80);
    expect(queued[50]).toBeLessThanOrEqual(60);
  });

  it('takes back the wait a burst added (chunks held up, then sent together) from the next pause', () => {
    const rate = 16000;
    const player = new SpeechPlayout({ sampleRate: rate, jitterMs: 80, finishAfterMs: 250, onEvent: () => {} });
    // 3 s of sound with a 0.5 s pause at 1 s and at 2.5 s, in 20 ms chunks; those due from 2.0 s to 2.1 s arrive together
    // at 2.1 s.
    const sound = (from: number, to: number) => Int16Array.from({ length: (to - from) * rate }, (_, i) => 1000 + (i % 5000));
    const pause = new Int16Array(rate / 2);
    const stream = new Int16Array([...sound(0, 1), ...pause, ...sound(1.5, 2.5), ...pause, ...sound(3, 4)]);
    const bytes = new Uint8Array(stream.buffer);
    const played: number[] = [];
    const queued = new Map<number, number>();
    for (let now = 0; now < 5000; now += 10) {
      const due = now >= 2000 && now < 2100 ? [] : now === 2100 ? [2000, 2020, 2040, 2060, 2080, 2100] : now % 20 === 0 ? [now] : [];
      for (const at of due) if (at * 32 < bytes.length) player.receive(bytes.subarray(at * 32, (at + 20) * 32), now);
      const slot = player.next(now);
      if (slot.speechSample !== null) played.push(...slot.samples);
      queued.set(now, player.queuedMs);
    }
    const audible = (xs: Iterable<number>) => [...xs].filter((x) => x !== 0);
    expect(audible(played)).toEqual(audible(stream));
    // The burst came after the playout ran dry (an underrun: it waits the delay again), so from 2.1 s about 100 ms more
    // is queued than before it; after the next pause, the even stream's 20 ms again (40 as a chunk arrives).
    expect(queued.get(1900)).toBeLessThanOrEqual(40);
    expect(queued.get(2300)).toBeGreaterThanOrEqual(100);
    expect(queued.get(3500)).toBeLessThanOrEqual(40);
  });

  it('skips nothing of speech that comes faster than real time while it plays, pauses included', () => {
    const rate = 16000;
    const player = new SpeechPlayout({ sampleRate: rate, jitterMs: 80, finishAfterMs: 250, onEvent: () => {} });
    // Sound and pauses in turn (0.3 s each), 20 ms chunks every 16 ms: 1.25 times real time.
    const stream = Int16Array.from({ length: 4 * rate }, (_, i) => (Math.floor(i / (0.3 * rate)) % 2 === 0 ? 1000 + (i % 5000) : 0));
    const bytes = new Uint8Array(stream.buffer);
    let played = 0;
    for (let now = 0, sent = 0; now < 8000; now += 2) {
      if (now % 16 === 0 && sent < bytes.length) {
        player.receive(bytes.subarray(sent, sent + 640), now);
        sent += 640;
      }
      if (now % 10 === 0) {
        const slot = player.next(now);
        if (slot.speechSample !== null) played += slot.samples.length;
      }
    }
    expect(played).toBe(stream.length);
  });

  it('skips nothing of speech sent ahead of real time, pauses included', () => {
    const rate = 16000;
    const player = new SpeechPlayout({ sampleRate: rate, jitterMs: 80, finishAfterMs: 250, onEvent: () => {} });
    const stream = new Int16Array(3 * rate); // 3 s of silence and a click, sent at once in 20 ms chunks
    stream[rate] = 5000;
    const bytes = new Uint8Array(stream.buffer);
    for (let o = 0; o < bytes.length; o += 640) player.receive(bytes.subarray(o, o + 640), 0);
    let played = 0;
    for (let now = 0; now < 4000; now += 10) {
      const slot = player.next(now);
      if (slot.speechSample !== null) played += slot.samples.length;
    }
    expect(played).toBe(stream.length);
  });
});
