// Lip-sync engine: viseme accuracy against espeak-ng's phoneme timings (per 20 ms frame, five vowels, with the
// majority-class baseline of the same frames), p/b/m closure and analysis cost (real-time factor, µs per 10 ms hop).
import { createVisemeAnalyzer } from '../lipsync/index.ts';
import { SENTENCES, VOICES } from '../lipsync/truth/corpus.ts';
import { buildEspeakHelper, speak } from '../lipsync/truth/espeak-truth.ts';
import { alignFrames, type ClosureScore, type ScoredFrame, scoreClosures, scoreVowels } from '../lipsync/truth/score-visemes.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

export default async function bench(report: Report): Promise<void> {
  buildEspeakHelper();
  for (const sampleRate of [16000, 24000]) {
    const scored: ScoredFrame[] = [];
    const closures: ClosureScore = { sounds: 0, closedSounds: 0, frames: 0, closedFrames: 0 };
    const audio: Float32Array[] = [];
    for (const voice of VOICES) {
      const analyzer = createVisemeAnalyzer({ sampleRate }); // one stream per voice
      let offset = 0;
      for (const sentence of SENTENCES) {
        const speech = speak(sentence, { ...voice, sampleRate });
        audio.push(speech.samples);
        const frames = analyzer.push(speech.samples).map((f) => ({ ...f, time: f.time - offset }));
        scored.push(...alignFrames(speech, frames));
        const c = scoreClosures(speech, frames);
        for (const k of Object.keys(closures) as (keyof ClosureScore)[]) closures[k] += c[k];
        offset += speech.samples.length / sampleRate;
      }
    }
    const score = scoreVowels(scored);
    const note = `${score.frames} vowel frames, ${VOICES.map((v) => v.voice).join(', ')}`;
    report({ name: `lipsync vowel accuracy @${sampleRate / 1000}kHz`, value: score.accuracy, unit: 'ratio', note });
    report({
      name: `lipsync majority-class baseline @${sampleRate / 1000}kHz`,
      value: score.majority,
      unit: 'ratio',
      note: `always '${score.majorityViseme}'`,
    });
    report({ name: `lipsync accuracy / majority @${sampleRate / 1000}kHz`, value: score.accuracy / score.majority, unit: 'x' });
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const vowelOpen = mean(scored.filter((s) => s.truth !== 'closed' && s.truth !== 'other').map((s) => s.frame.open));
    const pbmOpen = mean(scored.filter((s) => /^[pbm]$/.test(s.phoneme)).map((s) => s.frame.open));
    report({
      name: `lipsync p/b/m openness / vowel openness @${sampleRate / 1000}kHz`,
      value: pbmOpen / vowelOpen,
      unit: 'ratio',
      note: 'lower is better',
    });
    report({
      name: `lipsync p/b/m sounds with a closed frame @${sampleRate / 1000}kHz`,
      value: closures.closedSounds / closures.sounds,
      unit: 'ratio',
      note: `${closures.sounds} sounds; closed share of their frames ${(closures.closedFrames / closures.frames).toFixed(2)}`,
    });

    // Cost: the whole corpus pushed in 10 ms chunks, as a live stream arrives; best of 3 runs.
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
      name: `lipsync real-time factor @${sampleRate / 1000}kHz`,
      value: best / 1000 / seconds,
      unit: 'x',
      note: `${seconds.toFixed(0)} s of audio; lower is faster`,
    });
    report({ name: `lipsync cost per 10 ms hop @${sampleRate / 1000}kHz`, value: (best * 1000) / (seconds * 100), unit: 'µs' });
  }
}
