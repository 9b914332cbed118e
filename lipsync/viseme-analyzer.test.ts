import { beforeAll, describe, expect, it } from 'vitest';
import { CONSONANTS, createVisemeAnalyzer, pcm16ToFloat32, VISEMES, type VisemeFrame } from './index.ts';
import { SENTENCES } from './truth/corpus.ts';
import { buildEspeakHelper, speak } from './truth/espeak-truth.ts';

const RATE = 16000;
let speech: Float32Array;
beforeAll(() => {
  buildEspeakHelper();
  speech = speak(SENTENCES[0], { voice: 'en-us', sampleRate: RATE }).samples;
});

/** Deterministic chunk sizes (LCG), 1..max samples. */
function chunks(samples: Float32Array, max: number, seed: number): Float32Array[] {
  const out: Float32Array[] = [];
  let s = seed;
  for (let i = 0; i < samples.length; ) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const n = 1 + (s % max);
    out.push(samples.subarray(i, i + n));
    i += n;
  }
  return out;
}

function dominant(frames: VisemeFrame[]): string {
  const counts = new Map<string, number>();
  for (const f of frames) if (f.viseme !== 'closed') counts.set(f.viseme, (counts.get(f.viseme) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'closed';
}

describe('createVisemeAnalyzer', () => {
  it('emits one frame per hop, timed 10 ms before the window centre, with weights in 0..1', () => {
    const frames = createVisemeAnalyzer({ sampleRate: RATE }).push(speech);
    const window = 480,
      hop = 160;
    expect(frames.length).toBe(Math.floor((speech.length - window) / hop) + 1);
    frames.forEach((f, i) => {
      expect(f.time).toBeCloseTo((i * hop + window / 2) / RATE - 0.01, 9);
      expect(f.open).toBeGreaterThanOrEqual(0);
      expect(f.open).toBeLessThanOrEqual(1);
      expect(Object.keys(f.weights).sort()).toEqual([...VISEMES].sort());
      for (const w of Object.values(f.weights)) expect(w >= 0 && w <= 1).toBe(true);
      expect(Object.keys(f.consonants ?? {}).sort()).toEqual([...CONSONANTS].sort());
      for (const w of Object.values(f.consonants ?? {})) expect(w >= 0 && w <= 1).toBe(true);
    });
    expect(frames.filter((f) => f.viseme !== 'closed').length).toBeGreaterThan(frames.length / 3);
  });

  it('gives the same frames whatever the chunk sizes', () => {
    const whole = createVisemeAnalyzer({ sampleRate: RATE }).push(speech);
    for (const [max, seed] of [
      [7, 1],
      [333, 2],
      [4096, 3],
    ]) {
      const a = createVisemeAnalyzer({ sampleRate: RATE });
      const parts = chunks(speech, max, seed).flatMap((c) => a.push(c));
      expect(parts).toEqual(whole);
    }
  });

  it('reset() starts a fresh stream: the same audio gives the same frames as a new analyzer', () => {
    const fresh = createVisemeAnalyzer({ sampleRate: RATE }).push(speech);
    const a = createVisemeAnalyzer({ sampleRate: RATE });
    a.push(speech.subarray(0, 12345)); // interrupted mid-stream
    a.reset();
    expect(a.push(speech)).toEqual(fresh);
  });

  it('reset(true) starts a new utterance warm: time and mouth from zero, the learned speaker kept', () => {
    const fresh = createVisemeAnalyzer({ sampleRate: RATE }).push(speech);
    const a = createVisemeAnalyzer({ sampleRate: RATE });
    const before = a.push(speech.subarray(0, 12345)); // interrupted mid-stream, mouth open
    a.reset(true);
    const warm = a.push(speech);
    expect(warm.map((f) => f.time)).toEqual(fresh.map((f) => f.time));
    // The mouth starts shut: one 10 ms attack step from zero, nothing of the open mouth before the reset.
    expect(before.at(-1)!.open).toBeGreaterThan(0.2);
    expect(warm[0].open).toBeLessThan(0.1);
    expect(warm).not.toEqual(fresh); // the speaker heard before the reset still normalizes the vowels
  });

  it('tells sustained vowels apart once it has heard the speaker', () => {
    const a = createVisemeAnalyzer({ sampleRate: RATE });
    a.push(speech);
    const said = (phonemes: string): string => dominant(a.push(speak(phonemes, { voice: 'en-us', rate: 80, sampleRate: RATE }).samples));
    const aa = said('[[A:]]');
    const ih = said('[[i:]]');
    const oh = said('[[O:]]');
    expect([aa, ih, oh]).toEqual(['aa', 'ih', 'oh']);
  });

  it('names the vowels as VRM does: "see" is ih (/i/), "bed" and "her" are ee (/e/), for each voice', () => {
    for (const voice of ['en-us', 'en+f3']) {
      const a = createVisemeAnalyzer({ sampleRate: RATE });
      a.push(speak(SENTENCES[0], { voice, sampleRate: RATE }).samples); // hears the speaker first
      const said = (text: string): string => dominant(a.push(speak(text, { voice, rate: 80, sampleRate: RATE }).samples));
      expect([said('see'), said('bed'), said('her')], voice).toEqual(['ih', 'ee', 'ee']);
    }
  });

  it('takes the consonant shapes from the sound: s and sh, f and v, th and l, m between vowels, a p in its silence', () => {
    const a = createVisemeAnalyzer({ sampleRate: RATE });
    a.push(speech); // hears the speaker first
    const peak = (phonemes: string) => {
      const frames = a.push(speak(phonemes, { voice: 'en-us', rate: 80, sampleRate: RATE }).samples);
      return Object.fromEntries(CONSONANTS.map((c) => [c, Math.max(...frames.map((f) => f.consonants?.[c] ?? 0))]));
    };
    const shapes = { ss: peak('[[A:sA:]]'), ff: peak('[[A:fA:]]'), th: peak('[[A:lA:]]'), pp: peak('[[A:mA:]]'), none: peak('[[A:]]') };
    for (const c of ['ss', 'ff', 'th', 'pp'] as const) expect(shapes[c][c], c).toBeGreaterThan(0.5);
    for (const c of CONSONANTS) expect(shapes.none[c], `${c} on a plain vowel`).toBeLessThan(0.5);
    expect(shapes.ss.ff).toBeLessThan(shapes.ss.ss); // a hiss is not a lip
    // A p's closure is silence: the lip detector reads the formants falling into it, and the lips meet fully (0.49
    // from the F2 rule alone).
    expect(peak('[[A:pA:]]').pp).toBeGreaterThan(0.95);
  });

  it('brings the lips together in a pause between sounds, not in a gap as short as a closure nor before speech', () => {
    const a = createVisemeAnalyzer({ sampleRate: RATE });
    a.push(speech);
    const vowel = speak('[[A:]]', { voice: 'en-us', rate: 80, sampleRate: RATE }).samples;
    const pressedIn = (gapMs: number) => {
      const gap = (gapMs * RATE) / 1000;
      const audio = new Float32Array(2 * vowel.length + gap);
      audio.set(vowel);
      audio.set(vowel, vowel.length + gap);
      a.reset(true);
      const between = a.push(audio).filter((f) => f.time * RATE >= vowel.length - 160 && f.time * RATE < vowel.length + gap + 160);
      return Math.max(...between.map((f) => f.consonants?.pp ?? 0));
    };
    expect(pressedIn(60)).toBeLessThan(0.2);
    for (const gapMs of [100, 300]) expect(pressedIn(gapMs), `${gapMs} ms`).toBe(1);
    // Silence before the first sound is no pause: a clip or an utterance starts on the photo's own mouth.
    const before = new Float32Array(RATE / 2 + vowel.length);
    before.set(vowel, RATE / 2);
    a.reset(true);
    const silent = a.push(before).filter((f) => f.time < 0.45);
    expect(Math.max(...silent.map((f) => f.consonants?.pp ?? 0))).toBe(0);
  });

  it('stays closed on silence and on a quiet hiss', () => {
    const a = createVisemeAnalyzer({ sampleRate: 24000 });
    for (const f of a.push(new Float32Array(24000))) expect(f.viseme).toBe('closed');
    let s = 7;
    const hiss = Float32Array.from({ length: 24000 }, () => ((s = (s * 69069 + 1) % 4294967296) / 4294967296 - 0.5) * 0.01);
    for (const f of a.push(hiss)) expect(f.open).toBeLessThan(0.1);
  });

  it('survives bad input: empty chunks, NaN and infinite samples', () => {
    const a = createVisemeAnalyzer({ sampleRate: RATE });
    expect(a.push(new Float32Array(0))).toEqual([]);
    const bad = speech.slice(0, 8000);
    for (let i = 0; i < bad.length; i += 97) bad[i] = i % 2 ? NaN : Infinity;
    const frames = a.push(bad);
    expect(frames.length).toBeGreaterThan(40);
    for (const f of frames) {
      expect(Number.isFinite(f.open) && Number.isFinite(f.time)).toBe(true);
      for (const w of Object.values(f.weights)) expect(Number.isFinite(w)).toBe(true);
      for (const w of Object.values(f.consonants ?? {})) expect(Number.isFinite(w)).toBe(true);
    }
    const all = a.push(new Float32Array(4000).fill(NaN));
    for (const f of all.slice(-5)) expect(Number.isFinite(f.open)).toBe(true);
  });

  it('rejects impossible options', () => {
    expect(() => createVisemeAnalyzer({ sampleRate: 0 })).toThrow(RangeError);
    expect(() => createVisemeAnalyzer({ sampleRate: NaN })).toThrow(RangeError);
    expect(() => createVisemeAnalyzer({ sampleRate: RATE, hopMs: 0 })).toThrow(RangeError);
    expect(() => createVisemeAnalyzer({ sampleRate: RATE, smoothing: { attackMs: -1 } })).toThrow(RangeError);
    expect(() => createVisemeAnalyzer({ sampleRate: RATE, smoothing: { closeMs: Number.NaN } })).toThrow(RangeError);
  });

  it('honours hopMs and smoothing: false', () => {
    const frames = createVisemeAnalyzer({ sampleRate: RATE, hopMs: 20, smoothing: false }).push(speech);
    expect(frames[1].time - frames[0].time).toBeCloseTo(0.02, 9);
    const raw = frames.map((f) => f.open);
    const jumps = raw.slice(1).filter((o, i) => Math.abs(o - raw[i]) > 0.3).length;
    expect(jumps).toBeGreaterThan(0); // unsmoothed: the jaw can snap
  });
});

describe('pcm16ToFloat32', () => {
  it('decodes little-endian signed 16-bit samples', () => {
    const bytes = new Uint8Array([0x00, 0x00, 0xff, 0x7f, 0x00, 0x80, 0xff, 0xff, 0x00, 0x40]);
    expect([...pcm16ToFloat32(bytes)]).toEqual([0, 32767 / 32768, -1, -1 / 32768, 0.5]);
  });

  it('ignores a trailing odd byte and accepts empty input', () => {
    expect([...pcm16ToFloat32(new Uint8Array([0x00, 0x40, 0x12]))]).toEqual([0.5]);
    expect(pcm16ToFloat32(new Uint8Array(0)).length).toBe(0);
    expect(pcm16ToFloat32(new Uint8Array(1)).length).toBe(0);
  });

  it('decodes a view into a larger buffer at its own offset', () => {
    const buf = new Uint8Array([9, 9, 0x00, 0x40, 0x00, 0xc0]);
    expect([...pcm16ToFloat32(buf.subarray(2))]).toEqual([0.5, -0.5]);
  });
});
