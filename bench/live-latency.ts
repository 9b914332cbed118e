// Audio-in to frame-out latency of the live playout on a virtual clock, free of the machine's load: the session's
// SpeechPlayout fed speech in chunks of `chunkMs`, each arriving `chunkMs` after the previous one plus a seeded random
// lateness up to `jitterMs`, played in 10 ms slots, and a frame every 1/30 s showing the slot just played; latency as
// the session measures it (frame time minus the arrival of the speech sample whose mouth the frame shows).
import { SpeechPlayout } from '../renderer/live/speech-playout.ts';
import { percentile } from '../renderer/live/session-metrics.ts';

export interface VirtualLatency {
  p50: number;
  p95: number;
  /** The wait the playout settled on (ms). */
  delayMs: number;
  /** 10 ms slots that had no speech to play in the middle of the stream (underruns). */
  underrunSlots: number;
}

export function virtualLatency(
  pcm: Buffer,
  sampleRate: number,
  options: { chunkMs: number; jitterMs: number; maxDelayMs: number },
): VirtualLatency {
  const playout = new SpeechPlayout({ sampleRate, jitterMs: options.maxDelayMs, finishAfterMs: 250, onEvent: () => {} });
  const chunkBytes = ((sampleRate * options.chunkMs) / 1000) * 2;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const arrivals: { at: number; chunk: Buffer }[] = [];
  let previous = 0;
  for (let offset = 0, k = 0; offset < pcm.length; offset += chunkBytes, k++) {
    // Never before the previous chunk: a stream delivers in order.
    previous = Math.max(previous, k * options.chunkMs + random() * options.jitterMs);
    arrivals.push({ at: previous, chunk: pcm.subarray(offset, offset + chunkBytes) });
  }
  const end = arrivals.at(-1)!.at;
  const latencies: number[] = [];
  let underrunSlots = 0;
  let last: number | null = null;
  let next = 0;
  let nextFrame = 0;
  for (let now = 0; now < end + 1000; now += 10) {
    while (next < arrivals.length && arrivals[next]!.at <= now) playout.receive(arrivals[next++]!.chunk, arrivals[next - 1]!.at);
    const slot = playout.next(now);
    last = slot.speechSample;
    if (slot.speechSample === null && playout.speaking && now > 200 && next < arrivals.length) underrunSlots++;
    // Frames until the next slot show this one's mouth.
    while (nextFrame < now + 10) {
      const arrival = last === null ? null : playout.arrivalOf(last);
      if (arrival !== null) latencies.push(nextFrame - arrival);
      nextFrame += 1000 / 30;
    }
  }
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), delayMs: playout.delayMs, underrunSlots };
}
