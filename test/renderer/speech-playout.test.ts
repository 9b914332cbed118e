import { describe, expect, it } from 'vitest';
import { type PlayoutEvent, type SegmentEnd, SpeechPlayout } from '../../renderer/live/speech-playout.ts';
import { espeakPcm16 } from './espeak-speech.ts';

function playout(jitterMs = 80) {
  const events: { event: PlayoutEvent; at: number }[] = [];
  const segments: (SegmentEnd & { at: number })[] = [];
  let now = 0;
  const player = new SpeechPlayout({
    sampleRate: 16000,
    jitterMs,
    finishAfterMs: 250,
    onEvent: (event) => events.push({ event, at: now }),
    onSegmentEnd: (end) => segments.push({ ...end, at: now }),
  });
  const step = () => {
    const slot = player.next(now);
    now += 10;
    return slot;
  };
  return { player, events, segments, step, at: () => now };
}

describe('SpeechPlayout', () => {
  const speech = espeakPcm16('Hello, how are you today?');

  it('plays speech after the jitter delay, opens the mouth with it, and reports start and finish', () => {
    const { player, events, step } = playout(80);
    player.receive(speech, 0);
    const slots = Array.from({ length: 8 }, step);
    expect(slots.every((s) => s.speechSample === null && s.mouth === null)).toBe(true); // 0..70 ms: buffering
    expect(events).toEqual([]);
    let maxOpen = 0;
    let played = 0;
    for (let i = 0; i < 1000 && events.length < 2; i++) {
      const slot = step();
      if (slot.speechSample !== null) played += slot.samples.length;
      maxOpen = Math.max(maxOpen, slot.mouth?.open ?? 0);
    }
    expect(events.map((e) => e.event)).toEqual(['playback_started', 'playback_finished']);
    expect(events[0].at).toBe(80);
    expect(played).toBeGreaterThanOrEqual(speech.length / 2);
    expect(maxOpen).toBeGreaterThan(0.3);
    expect(player.speaking).toBe(false);
  });

  it('hands out exactly the samples it received, in order', () => {
    const { player, step } = playout(0);
    const pcm = Buffer.alloc(16000 * 0.05 * 2);
    for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(i - 400, i * 2);
    player.receive(pcm, 0);
    const out: number[] = [];
    for (let i = 0; i < 5; i++) out.push(...step().samples);
    expect(out).toEqual(Array.from({ length: 800 }, (_, i) => i - 400));
  });

  it('drops queued speech on interrupt: the next slot is silent with the mouth closed', () => {
    const { player, events, step, at } = playout(0);
    player.receive(speech, 0);
    for (let i = 0; i < 60; i++) step();
    const dropped = player.interrupt();
    expect(dropped).toBeGreaterThan(500);
    const slot = step();
    expect(slot.mouth).toBeNull();
    expect(slot.samples.every((s) => s === 0)).toBe(true);
    expect(player.queuedMs).toBe(0);
    expect(player.speaking).toBe(false);
    // New speech after the interrupt starts a new utterance.
    player.receive(speech.subarray(0, 3200), at());
    for (let i = 0; i < 5; i++) step();
    expect(events.filter((e) => e.event === 'playback_started')).toHaveLength(2);
  });

  it("ends each closed segment on the slot that plays its last sample, and reports a cut one's position", () => {
    const { player, segments, step } = playout(0);
    const tenth = Buffer.alloc(1600 * 2, 1); // 0.1 s at 16 kHz
    player.receive(tenth, 0);
    player.endSegment();
    player.receive(tenth, 0);
    player.receive(tenth, 0); // the second segment, still arriving
    const slots = Array.from({ length: 10 }, step);
    expect(slots.every((s) => s.speechSample !== null)).toBe(true);
    expect(segments).toEqual([{ playedSeconds: 0.1, interrupted: false, at: 90 }]);
    for (let i = 0; i < 5; i++) step();
    expect(player.segmentPlayedSeconds).toBeCloseTo(0.05, 5);
    player.interrupt();
    expect(player.segmentPlayedSeconds).toBeNull();
    // An empty segment ends at once; one closed after an interruption starts from nothing.
    player.endSegment();
    step();
    expect(segments.at(-1)).toEqual({ playedSeconds: 0, interrupted: false, at: 150 });
  });
});
