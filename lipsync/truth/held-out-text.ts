/**
 * The text path on held-out espeak-ng speech: each sentence goes through the live path's SpeechPlayout with its
 * words as an agent's `text` message would give them (espeak-ng's own word events as the TTS's word timings, each
 * word ending where the next starts or at the pause after it), phonemized by the renderer's espeak-ng phonemizer
 * (en-us, whatever the voice). Scored as held-out.ts scores the audio path, which it prints beside: vowel accuracy,
 * p/b/m sounds with a fully closed frame (closure silence taken in), the closed share of p/b/m frames, and the
 * closed share of vowel frames.
 * Run: npx tsx lipsync/truth/held-out-text.ts [corpus]   (corpus: held-out (default), tested, fit)
 */
import { createEspeakPhonemizer } from '../../renderer/phonemes/espeak-phonemizer.ts';
import { SpeechPlayout } from '../../renderer/live/speech-playout.ts';
import type { SpokenWord } from '../../renderer/live/speech-protocol.ts';
import { CORPORA } from './corpus.ts';
import { type SpeakOptions, type SpokenText, speak } from './espeak-truth.ts';
import { playUtterance, scorePlayout } from './held-out.ts';
import { alignFrames, type ClosureScore, type ScoredFrame, scoreClosures, scoreVowels } from './score-visemes.ts';

type Voice = Omit<SpeakOptions, 'sampleRate'>;

/** espeak-ng's word events as a TTS gives word timings: seconds from the utterance's first sample. */
export function wordTimings(speech: SpokenText): SpokenWord[] {
  const { words, phonemes, sampleRate } = speech;
  return words.map((w, i) => {
    const next = words[i + 1]?.start ?? speech.samples.length;
    const pause = phonemes.find((p) => p.start > w.start && p.phoneme.startsWith('_'))?.start ?? next;
    return { word: w.text, start: w.start / sampleRate, end: Math.max(w.start, Math.min(next, pause)) / sampleRate };
  });
}

export interface TextScore {
  scored: ScoredFrame[];
  closures: ClosureScore;
}

/** One voice speaks every sentence into one SpeechPlayout, each sentence's words sent just before its speech. */
export async function scoreTextPlayout(
  voice: Voice,
  sentences: readonly string[],
  sampleRate: number,
  withWords = true,
): Promise<TextScore> {
  const phonemizer = createEspeakPhonemizer();
  const playout = new SpeechPlayout({ sampleRate, jitterMs: 60, finishAfterMs: 250, onEvent: () => {}, phonemizer });
  const score: TextScore = { scored: [], closures: { sounds: 0, closedSounds: 0, frames: 0, closedFrames: 0 } };
  let now = 0;
  let origin = 0;
  for (const sentence of sentences) {
    const speech = speak(sentence, { ...voice, sampleRate });
    if (withWords) {
      const words = wordTimings(speech);
      await phonemizer.phonemize(words.map((w) => w.word)); // ready before it plays: the test is the mouth, not the race
      playout.text(words);
      await new Promise((r) => setImmediate(r));
    }
    const played = playUtterance(playout, speech, now, origin);
    const { frames } = played;
    now = played.endMs;
    origin += speech.samples.length;
    score.scored.push(...alignFrames(speech, frames));
    const c = scoreClosures(speech, frames);
    for (const k of Object.keys(c) as (keyof ClosureScore)[]) score.closures[k] += c[k];
  }
  return score;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2] ?? 'held-out';
  const [sentences, voices] = CORPORA[name] ?? [];
  if (!sentences) throw new Error(`unknown corpus ${name}: ${Object.keys(CORPORA).join(', ')}`);
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(0)}%`.padStart(5);
  const closedVowels = (scored: ScoredFrame[]) => {
    const xs = scored.filter((x) => x.truth !== 'closed' && x.truth !== 'other');
    return pct(xs.filter((x) => x.frame.viseme === 'closed').length, xs.length);
  };
  console.log(`${name} corpus, through SpeechPlayout: audio alone | with the words of a text message`);
  console.log(`${'rate  voice'.padEnd(26)}  vowels       p/b/m sounds closed   p/b/m frames closed   vowel frames closed`);
  for (const sampleRate of [16000, 24000]) {
    const pooled = { audio: [] as ScoredFrame[], text: [] as ScoredFrame[] };
    const sums = { audio: [0, 0, 0, 0], text: [0, 0, 0, 0] };
    for (const voice of voices) {
      const audio = scorePlayout(voice, sentences, sampleRate);
      const text = await scoreTextPlayout(voice, sentences, sampleRate);
      pooled.audio.push(...audio.scored);
      pooled.text.push(...text.scored);
      const a = audio.closures;
      const t = text.closures;
      [a.sounds, a.closedSounds, a.frames, a.closedFrames].forEach((x, i) => (sums.audio[i] += x));
      [t.sounds, t.closedSounds, t.frames, t.closedFrames].forEach((x, i) => (sums.text[i] += x));
      console.log(
        `${`${sampleRate / 1000}k   ${voice.voice}`.padEnd(26)}  ${scoreVowels(audio.scored).accuracy.toFixed(3)} | ${scoreVowels(text.scored).accuracy.toFixed(3)}` +
          `   ${pct(a.closedSounds, a.sounds)} | ${pct(t.closedSounds, t.sounds)}       ${pct(a.closedFrames, a.frames)} | ${pct(t.closedFrames, t.frames)}` +
          `       ${closedVowels(audio.scored)} | ${closedVowels(text.scored)}`,
      );
    }
    const [a, t] = [sums.audio, sums.text];
    console.log(
      `${`${sampleRate / 1000}k   pooled`.padEnd(26)}  ${scoreVowels(pooled.audio).accuracy.toFixed(3)} | ${scoreVowels(pooled.text).accuracy.toFixed(3)}` +
        `   ${pct(a[1], a[0])} | ${pct(t[1], t[0])}       ${pct(a[3], a[2])} | ${pct(t[3], t[2])}       ${closedVowels(pooled.audio)} | ${closedVowels(pooled.text)}`,
    );
  }
}
