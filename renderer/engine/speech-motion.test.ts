import { beforeAll, describe, expect, it } from 'vitest';
import { espeakPcm16 } from '../../test/renderer/espeak-speech.ts';
import type { TalkMotion } from './face-state.ts';
import { SpeechMotion } from './speech-motion.ts';

const RATE = 16000;
const SLOT = RATE / 100;

/** Two utterances with phrase pauses inside, and listening silence before, between and after. */
const UTTERANCES = [
  'The weather was terrible yesterday. We stayed inside, and read books all afternoon. Tomorrow, I think, it will be much better!',
  'Would you like to go for a walk? We could stop at the bakery, buy some bread, and sit by the river for an hour.',
];
const SILENCE = [3, 2.5, 4];

interface Run {
  motion: SpeechMotion;
  /** Slot start times with speech playing. */
  speech: [number, number][];
  end: number;
  frames: { t: number; motion: TalkMotion }[];
}

let speeches: Int16Array[];

beforeAll(() => {
  speeches = UTTERANCES.map((text) => {
    const pcm = espeakPcm16(text, RATE);
    return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  });
});

/** Plays silence and speech through SpeechMotion slot by slot, as the live session does, asking for a frame every 1/30 s. */
function play(seed: number, voice = speeches): Run {
  const motion = new SpeechMotion(seed);
  const speech: [number, number][] = [];
  const frames: Run['frames'] = [];
  let slot = 0;
  let nextFrame = 0;
  const tick = (samples: Int16Array | null) => {
    const t = slot / 100;
    motion.push(samples, RATE, t);
    slot++;
    while (nextFrame <= t + 0.01) {
      frames.push({ t: nextFrame, motion: motion.at(nextFrame) });
      nextFrame += 1 / 30;
    }
  };
  SILENCE.forEach((seconds, k) => {
    for (let i = 0; i < seconds * 100; i++) tick(null);
    const pcm = voice[k];
    if (!pcm) return;
    speech.push([slot / 100, slot / 100 + pcm.length / RATE]);
    for (let o = 0; o < pcm.length; o += SLOT) tick(pcm.subarray(o, o + SLOT));
  });
  return { motion, speech, end: slot / 100, frames };
}

const rms = (values: number[]) => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / Math.max(1, values.length));
const during = (run: Run, inSpeech: boolean) =>
  run.frames.filter((f) => run.speech.some(([a, b]) => f.t >= a + 0.3 && f.t <= b) === inSpeech && f.t > 1);

describe('SpeechMotion', () => {
  it('is a pure function of the seed and the slots: the same input gives the same motion, another seed another', () => {
    const a = play(5);
    const b = play(5);
    const c = play(6);
    expect(b.frames).toEqual(a.frames);
    expect(b.motion.blinks()).toEqual(a.motion.blinks());
    expect(c.frames).not.toEqual(a.frames);
    // Asking for a frame again, or out of order, does not change it.
    const t = a.frames[400].t;
    expect(a.motion.at(t)).toEqual(a.motion.at(t));
  });

  it('nods on pitch accents during speech, far more than the listening face nods in silence', () => {
    const run = play(5);
    const accents = run.motion.accents().filter((t) => t > run.speech[0][0]);
    // espeak-ng stresses about one syllable in three: an accent every half second or so.
    const speechSeconds = run.speech.reduce((s, [a, b]) => s + b - a, 0);
    expect(accents.length).toBeGreaterThan(speechSeconds / 1.5);
    expect(accents.length).toBeLessThan(speechSeconds / 0.3);
    for (const t of accents) expect(run.speech.some(([a, b]) => t >= a && t <= b + 0.05)).toBe(true);
    const talking = during(run, true).map((f) => f.motion.nod);
    const listening = during(run, false).map((f) => f.motion.nod);
    expect(rms(talking)).toBeGreaterThan(2.5 * rms(listening));
    // Tilts and brows move with the speech too.
    expect(Math.max(...during(run, true).map((f) => Math.abs(f.motion.tilt)))).toBeGreaterThan(0.005);
    expect(Math.max(...during(run, true).map((f) => f.motion.brows))).toBeGreaterThan(0.5);
    // A nod follows its accent: the head is lower 240 ms after an accent than at the accent itself, on average.
    const lag = accents.map((t) => run.motion.at(t + 0.24).nod - run.motion.at(t).nod);
    expect(lag.reduce((s, v) => s + v, 0) / lag.length).toBeGreaterThan(0.003);
  });

  it('listens between utterances: small slow nods, slightly raised brows, the gaze on the viewer', () => {
    const run = play(5);
    const listening = run.frames.filter((f) => f.t > 1 && run.speech.every(([start, end]) => f.t < start || f.t > end + 1));
    const nods = listening.map((f) => f.motion.nod);
    expect(Math.max(...nods)).toBeGreaterThan(0.003);
    expect(Math.max(...nods)).toBeLessThan(0.012);
    // Slow: no step from one frame to the next larger than a sixth of the largest nod.
    for (let k = 1; k < nods.length; k++) {
      if (listening[k].t - listening[k - 1].t < 0.04) expect(Math.abs(nods[k] - nods[k - 1])).toBeLessThan(Math.max(...nods) / 6);
    }
    for (const f of listening) {
      expect(f.motion.brows).toBeGreaterThan(0.1);
      expect(f.motion.attend).toBeGreaterThan(0.6);
    }
    const talking = during(run, true);
    expect(talking.filter((f) => (f.motion.attend ?? 0) < 0.4).length).toBeGreaterThan(talking.length * 0.8);
  });

  it('blinks mostly at phrase boundaries: blinks start within 400 ms after a pause far more often than chance', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    let atPause = 0;
    let total = 0;
    let chance = 0;
    for (const seed of seeds) {
      const run = play(seed);
      const pauses = run.motion.pauses();
      const blinks = run.motion.blinks().filter((b) => b.start > run.speech[0][0] && b.start < run.speech[1][1] + 0.5);
      total += blinks.length;
      atPause += blinks.filter((b) => pauses.some((p) => b.start >= p && b.start <= p + 0.4)).length;
      // The share of the spoken time that lies within 400 ms after a pause: where blinks would fall by chance.
      const span = run.speech[1][1] + 0.5 - run.speech[0][0];
      chance += (pauses.length * 0.4) / span / seeds.length;
      // No two blinks collide: spontaneous ones keep clear of those at pauses.
      const starts = run.motion.blinks().map((b) => b.start);
      for (let k = 1; k < starts.length; k++) expect(starts[k] - starts[k - 1]).toBeGreaterThan(0.15);
    }
    expect(total).toBeGreaterThan(seeds.length * 3);
    expect(atPause / total).toBeGreaterThan(2 * chance);
    expect(atPause / total).toBeGreaterThan(0.5);
  });
});
