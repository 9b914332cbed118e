import { describe, expect, it } from 'vitest';
import { ProsodyTracker } from './speech-prosody.ts';

/** A buzzy voice-like tone (a few harmonics, falling in strength) at `hz`, 10 ms slots of PCM16. */
function* tone(hz: number, rate: number, seconds: number, amplitude = 8000): Generator<Int16Array> {
  const slot = rate / 100;
  for (let start = 0; start < seconds * rate; start += slot) {
    const samples = new Int16Array(slot);
    for (let i = 0; i < slot; i++) {
      const t = (start + i) / rate;
      let v = 0;
      for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * hz * h * t) / h;
      samples[i] = Math.round(amplitude * v * 0.5);
    }
    yield samples;
  }
}

const semitones = (hz: number) => 12 * Math.log2(hz / 100);

describe('ProsodyTracker', () => {
  for (const rate of [16000, 24000, 48000]) {
    it(`finds the pitch of voiced slots within half a semitone at ${rate} Hz, and none in silence or noise`, () => {
      for (const hz of [95, 140, 230, 330]) {
        const tracker = new ProsodyTracker(rate);
        const pitches = [...tone(hz, rate, 0.3)].map((slot) => tracker.push(slot).pitch);
        // Once the 32 ms window (plus the longest period) has filled, every slot is voiced at the tone's pitch.
        for (const pitch of pitches.slice(6)) {
          expect(pitch).not.toBeNull();
          expect(Math.abs((pitch as number) - semitones(hz))).toBeLessThan(0.5);
        }
      }
      const tracker = new ProsodyTracker(rate);
      let seed = 1;
      const noise = new Int16Array(rate / 100);
      for (let k = 0; k < 30; k++) {
        for (let i = 0; i < noise.length; i++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          noise[i] = ((seed >>> 16) % 16000) - 8000;
        }
        const frame = tracker.push(noise);
        if (k > 6) expect(frame.pitch).toBeNull();
        expect(frame.levelDb).toBeGreaterThan(-20);
      }
      expect(tracker.push(null)).toEqual({ levelDb: -120, pitch: null });
    });
  }
});
