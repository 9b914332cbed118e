// Lip-sync engine against espeak-ng's phoneme timings, through the live path's SpeechPlayout (lipsync/truth/held-out.ts),
// on the tested voices and on the held-out ones (no test, fit or threshold used them), per voice: vowel accuracy (per
// 20 ms frame, five vowels; with the majority-class baseline), p/b/m sounds with a fully closed frame, and consonant
// sounds whose class weighs over 0.5 in one of their frames (with the vowel frames that weigh it so); then analysis
// cost (real-time factor, µs per 10 ms hop).
import { CONSONANTS } from '../lipsync/consonants.ts';
import { createVisemeAnalyzer } from '../lipsync/index.ts';
import { HELD_OUT_SENTENCES, HELD_OUT_VOICES, SENTENCES, VOICES } from '../lipsync/truth/corpus.ts';
import { buildEspeakHelper, speak } from '../lipsync/truth/espeak-truth.ts';
import { type PlayoutScore, scorePlayout } from '../lipsync/truth/held-out.ts';
import { addConsonantScores, noConsonantScores, scoreVowels } from '../lipsync/truth/score-visemes.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

function reportRuns(report: Report, label: string, runs: PlayoutScore[]): void {
  const score = scoreVowels(runs.flatMap((r) => r.scored));
  const sounds = runs.reduce((a, r) => a + r.closures.sounds, 0);
  const closed = runs.reduce((a, r) => a + r.closures.closedSounds, 0);
  report({
    name: `lipsync vowel accuracy ${label}`,
    value: score.accuracy,
    unit: 'ratio',
    note: `${score.frames} frames; always '${score.majorityViseme}' scores ${score.majority.toFixed(2)}`,
  });
  report({
    name: `lipsync p/b/m sounds with a closed frame ${label}`,
    value: closed / Math.max(1, sounds),
    unit: 'ratio',
    note: `${sounds} sounds`,
  });
  const consonants = noConsonantScores();
  for (const r of runs) addConsonantScores(consonants, r.consonants);
  for (const c of CONSONANTS) {
    const s = consonants[c];
    report({
      name: `lipsync ${c} sounds detected ${label}`,
      value: s.detected / Math.max(1, s.sounds),
      unit: 'ratio',
      note: `${s.sounds} sounds; ${((100 * s.falseOnVowels) / Math.max(1, s.vowelFrames)).toFixed(1)}% of vowel frames over 0.5`,
    });
  }
}

export default async function bench(report: Report): Promise<void> {
  buildEspeakHelper();
  for (const sampleRate of [16000, 24000]) {
    const rate = `@${sampleRate / 1000}kHz`;
    for (const [corpus, voices, sentences] of [
      ['tested', VOICES, SENTENCES],
      ['held-out', HELD_OUT_VOICES, HELD_OUT_SENTENCES],
    ] as const) {
      const runs = voices.map((voice) => scorePlayout(voice, sentences, sampleRate));
      voices.forEach((voice, i) => reportRuns(report, `${corpus} ${voice.voice} ${rate}`, [runs[i]]));
      reportRuns(report, `${corpus} pooled ${rate}`, runs);
    }

    // Cost: the tested corpus pushed in 10 ms chunks, as a live stream arrives; best of 3 runs.
    const audio = VOICES.flatMap((voice) => SENTENCES.map((sentence) => speak(sentence, { ...voice, sampleRate }).samples));
    const chunk = sampleRate / 100;
    const seconds = audio.reduce((a, s) => a + s.length, 0) / sampleRate;
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const analyzer = createVisemeAnalyzer({ sampleRate });
      const t0 = performance.now();
      for (const samples of audio) for (let i = 0; i < samples.length; i += chunk) analyzer.push(samples.subarray(i, i + chunk));
      best = Math.min(best, performance.now() - t0);
    }
    report({
      name: `lipsync real-time factor ${rate}`,
      value: best / 1000 / seconds,
      unit: 'x',
      note: `${seconds.toFixed(0)} s of audio; lower is faster`,
    });
    report({ name: `lipsync cost per 10 ms hop ${rate}`, value: (best * 1000) / (seconds * 100), unit: 'µs' });
  }
}
