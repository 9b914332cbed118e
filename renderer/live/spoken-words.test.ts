import { float32ToPcm16 } from '../../lipsync/pcm16.ts';
import { describe, expect, it } from 'vitest';
import { speak } from '../../lipsync/truth/espeak-truth.ts';
import { wordTimings } from '../../lipsync/truth/held-out-text.ts';
import { bilabialSpans } from '../../lipsync/truth/score-visemes.ts';
import type { MouthInput } from '../engine/face-rig.ts';
import { createEspeakPhonemizer, type Phonemizer } from '../phonemes/espeak-phonemizer.ts';
import { SpeechPlayout } from './speech-playout.ts';

const RATE = 16000;
const spoken = speak('My mom made a map of Bombay.', { voice: 'en-us', sampleRate: RATE });
const words = wordTimings(spoken);
const pcm = float32ToPcm16;

/** Plays `speech` through a playout to its end; each slot's mouth (copied) and the sample at its centre. */
function play(player: SpeechPlayout, speech: Uint8Array): { at: number; mouth: MouthInput | null }[] {
  player.receive(speech, 0);
  const out = [];
  for (let now = 0; player.speaking; now += 10) {
    const slot = player.next(now);
    if (slot.speechSample !== null) out.push({ at: slot.speechSample, mouth: slot.mouth && structuredClone(slot.mouth) });
  }
  return out;
}

const playout = (phonemizer?: Phonemizer) =>
  new SpeechPlayout({ sampleRate: RATE, jitterMs: 0, finishAfterMs: 50, onEvent: () => {}, phonemizer });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("SpeechPlayout with the agent's timed words", () => {
  it('presses the lips together on the p, b and m of the words, at their times', async () => {
    const phonemizer = createEspeakPhonemizer();
    await phonemizer.phonemize(words.map((w) => w.word));
    const player = playout(phonemizer);
    player.text(words);
    await settle();
    const slots = play(player, pcm(spoken.samples));
    const spans = bilabialSpans(spoken, false);
    expect(spans.map((s) => s.phoneme).join(' ')).toBe('m m m m m p b m b'); // "mom made": m, m
    // Pressed as far as the audio is quiet there (a closure is): at least 3/4 of the way.
    const pressed = spans.filter((span) =>
      slots.some((s) => s.at >= span.start && s.at < span.end && (s.mouth?.consonants?.pp ?? 0) >= 0.75),
    );
    // Phonemes spread over a word's time by their usual lengths do not always fall where the voice put them: the
    // b of "Bombay" lasts 24 ms after a long m, where the words alone place it earlier (and the audio is loud).
    expect(pressed.length).toBeGreaterThanOrEqual(spans.length - 1);
    // The vowel of "map" ("a", aa) shows aa, wide open.
    const map = spoken.phonemes.findIndex((p, i) => p.phoneme === 'a' && spoken.phonemes[i + 1]?.phoneme === 'p');
    const [from, to] = [spoken.phonemes[map].start, spoken.phonemes[map + 1].start];
    const middle = slots.find((s) => s.at >= (from + to) / 2)!.mouth!;
    expect(middle.open).toBeGreaterThan(0.5);
    expect(Object.entries(middle.visemes!).sort((a, b) => b[1] - a[1])[0][0]).toBe('aa');
  });

  it('follows the audio where no words are, before their phonemes are known, and after an interruption', async () => {
    const audioOnly = play(playout(), pcm(spoken.samples));
    const never: Phonemizer = { phonemize: () => new Promise(() => {}) };
    const waiting = playout(never);
    waiting.text(words);
    expect(play(waiting, pcm(spoken.samples))).toEqual(audioOnly);

    const missing = playout(createEspeakPhonemizer({ command: '/nonexistent/espeak-ng' }));
    missing.text(words);
    await settle();
    expect(play(missing, pcm(spoken.samples))).toEqual(audioOnly);

    // Words, then an interruption before their speech: the words go with the dropped speech.
    const phonemizer = createEspeakPhonemizer();
    const cut = playout(phonemizer);
    const reference = playout();
    cut.text(words);
    cut.interrupt();
    reference.interrupt();
    await phonemizer.phonemize(words.map((w) => w.word));
    await settle();
    expect(play(cut, pcm(spoken.samples))).toEqual(play(reference, pcm(spoken.samples)));
  });

  it('phonemizes at most four text messages at once: words sent faster than that are left to the audio', async () => {
    let calls = 0;
    let answer: (phonemes: string[][]) => void = () => {};
    const slow: Phonemizer = {
      phonemize: (w) => {
        calls++;
        return new Promise((resolve) => {
          answer = () => resolve(w.map(() => ['m', 'A:']));
        });
      },
    };
    const player = playout(slow);
    for (let i = 0; i < 6; i++) player.text([{ word: 'ma', start: i, end: i + 0.5 }]);
    expect(calls).toBe(4);
    answer([]);
    await settle();
    player.text([{ word: 'ma', start: 0, end: 0.5 }]);
    expect(calls).toBe(5);
  });

  it("ends a segment's words with its audio: words timed past it do not drive the next segment's mouth", async () => {
    // A buzz (a voice at 120 Hz) from `from` s on, quiet for 100 ms every 0.5 s: where each word's m presses the lips.
    const buzz = (seconds: number, from: number) =>
      pcm(
        Float32Array.from({ length: seconds * RATE }, (_, i) =>
          (from + i / RATE) % 0.5 < 0.1 ? 0 : 0.3 * (((i * 120) / RATE) % 1) - 0.15,
        ),
      );
    const ma = [0, 0.5, 1, 1.5].map((start) => ({ word: 'ma', start, end: start + 0.4 })); // 1.9 s of words
    // Each segment's mouths, with the words and from the audio alone (the same audio, no text).
    const mouthsOf = async (endSegment: boolean, withWords: boolean) => {
      const phonemizer = createEspeakPhonemizer();
      const player = playout(phonemizer);
      if (withWords) player.text(ma);
      await phonemizer.phonemize(['ma']);
      await settle();
      player.receive(buzz(0.7, 0), 0); // the segment the words came with: 0.7 s of audio
      if (endSegment) player.endSegment();
      const slots = play(player, buzz(1.3, 0.7)); // the next segment, without words
      const split = (keep: (at: number) => boolean) => slots.filter((s) => keep(s.at / RATE)).map((s) => s.mouth);
      return { own: split((at) => at < 0.7), next: split((at) => at >= 0.7) };
    };
    const audioOnly = await mouthsOf(true, false);
    const ended = await mouthsOf(true, true);
    expect(ended.own).not.toEqual(audioOnly.own); // the words drive their own segment
    expect(ended.next).toEqual(audioOnly.next);
    expect((await mouthsOf(false, true)).next).not.toEqual(audioOnly.next); // without the segment's end they would run on
  });

  it('times words from the speech position where the text arrived, and closes the mouth in a silence inside a word', async () => {
    const phonemizer = createEspeakPhonemizer();
    const player = playout(phonemizer);
    const lead = new Uint8Array(RATE); // half a second of silence already received
    player.receive(lead, 0);
    // One long "ma" over 0.1..0.9 s after the lead, whose audio is silent from 0.45 to 0.65 s.
    player.text([{ word: 'ma', start: 0.1, end: 0.9 }]);
    await phonemizer.phonemize(['ma']);
    await settle();
    // A loud buzz (a voice at 120 Hz) for a second, silent up to 0.2 s (the m) and from 0.45 to 0.65 s.
    const vowel = Float32Array.from({ length: RATE }, (_, i) => 0.3 * (((i * 120) / RATE) % 1) - 0.15);
    vowel.fill(0, 0, Math.round(0.2 * RATE));
    vowel.fill(0, Math.round(0.45 * RATE), Math.round(0.65 * RATE));
    const slots = play(player, pcm(vowel));
    const audioOnly = playout();
    audioOnly.receive(lead, 0);
    const heard = play(audioOnly, pcm(vowel));
    const index = (seconds: number) => slots.findIndex((s) => s.at >= 8000 + seconds * RATE);
    const at = (seconds: number) => slots[index(seconds)].mouth!;
    const top = (seconds: number) => Object.entries(at(seconds).visemes!).sort((a, b) => b[1] - a[1])[0][0];
    expect(at(0.12).consonants?.pp).toBe(1); // the m, 0.1 s after the text's position (not after the session's start)
    expect(at(0.12).open).toBe(0);
    // The vowel: the words' shape, the jaw as far as the audio opens it.
    for (const t of [0.35, 0.8]) {
      expect(top(t)).toBe('aa');
      expect(at(t).open).toBeGreaterThan(0.1);
      expect(at(t).open).toBe(heard[index(t)].mouth!.open);
    }
    expect(at(0.55).open).toBeLessThan(0.05); // silence inside the word
  });
});
