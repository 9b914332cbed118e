/**
 * Lip-sync on held-out espeak-ng speech (HELD_OUT_VOICES × HELD_OUT_SENTENCES: none is tested or fitted on), through
 * the live path's SpeechPlayout as a session plays it: per voice and sample rate, vowel accuracy, and how well the
 * mouth closes for p, b and m (sounds with a fully closed frame, closed share of their frames; with espeak-ng's own
 * event spans, and with a stop's closure silence taken in: score-visemes.ts's bilabialSpans), and what closes where it
 * should not (closed share of vowel frames, and of the other consonants' frames).
 * Run: npx tsx lipsync/truth/held-out.ts [corpus]   (corpus: held-out (default), tested, fit)
 */
import { SpeechPlayout } from '../../renderer/live/speech-playout.ts';
import { CLOSED_BELOW, type VisemeFrame } from '../viseme-analyzer.ts';
import { VISEMES, type Viseme } from '../vowel-space.ts';
import { FIT_SENTENCES, FIT_VOICES, HELD_OUT_SENTENCES, HELD_OUT_VOICES, SENTENCES, VOICES } from './corpus.ts';
import { buildEspeakHelper, type SpeakOptions, speak } from './espeak-truth.ts';
import { alignFrames, type ClosureScore, type ScoredFrame, scoreClosures, scoreVowels } from './score-visemes.ts';

type Voice = Omit<SpeakOptions, 'sampleRate'>;

export interface PlayoutScore {
  scored: ScoredFrame[];
  closures: ClosureScore;
  strict: ClosureScore;
}

/** One voice speaks every sentence, one utterance each, into one SpeechPlayout (one live session). */
export function scorePlayout(voice: Voice, sentences: readonly string[], sampleRate: number): PlayoutScore {
  const playout = new SpeechPlayout({ sampleRate, jitterMs: 60, finishAfterMs: 250, onEvent: () => {} });
  const scored: ScoredFrame[] = [];
  const closures: ClosureScore = { sounds: 0, closedSounds: 0, frames: 0, closedFrames: 0 };
  const strict = { ...closures };
  const add = (into: ClosureScore, s: ClosureScore): void => {
    for (const k of Object.keys(into) as (keyof ClosureScore)[]) into[k] += s[k];
  };
  let now = 0;
  let origin = 0; // received samples before this utterance
  for (const sentence of sentences) {
    const speech = speak(sentence, { ...voice, sampleRate });
    const pcm = new Uint8Array(speech.samples.length * 2);
    const view = new DataView(pcm.buffer);
    speech.samples.forEach((s, i) => view.setInt16(2 * i, Math.max(-32768, Math.min(32767, Math.round(s * 32768))), true));
    playout.receive(pcm, now);
    const frames: VisemeFrame[] = [];
    while (playout.speaking) {
      const slot = playout.next(now);
      now += 10;
      if (slot.speechSample === null) continue;
      const open = slot.mouth?.open ?? 0;
      const weights = (slot.mouth?.visemes ?? {}) as Record<Viseme, number>;
      const best = VISEMES.reduce((a, b) => ((weights[b] ?? 0) > (weights[a] ?? 0) ? b : a));
      frames.push({ time: (slot.speechSample - origin) / sampleRate, open, weights, viseme: open < CLOSED_BELOW ? 'closed' : best });
    }
    origin += speech.samples.length;
    scored.push(...alignFrames(speech, frames));
    add(closures, scoreClosures(speech, frames));
    add(strict, scoreClosures(speech, frames, true));
  }
  return { scored, closures, strict };
}

const CORPORA: Record<string, [readonly string[], readonly Voice[]]> = {
  'held-out': [HELD_OUT_SENTENCES, HELD_OUT_VOICES],
  tested: [SENTENCES, VOICES],
  fit: [FIT_SENTENCES, FIT_VOICES],
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2] ?? 'held-out';
  const [sentences, voices] = CORPORA[name] ?? [];
  if (!sentences) throw new Error(`unknown corpus ${name}: ${Object.keys(CORPORA).join(', ')}`);
  buildEspeakHelper();
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(0)}%`.padStart(5);
  const falseClosures = (scored: ScoredFrame[]): string => {
    const share = (keep: (s: ScoredFrame) => boolean): string => {
      const xs = scored.filter(keep);
      return pct(xs.filter((s) => s.frame.viseme === 'closed').length, xs.length);
    };
    return `${share((s) => s.truth !== 'closed' && s.truth !== 'other')} ${share((s) => s.truth === 'other')}`;
  };
  console.log(`${name} corpus, through SpeechPlayout`);
  console.log('rate   voice                 vowels  p/b/m sounds closed (strict)  p/b/m frames closed (strict)  closed: vowels, others');
  for (const sampleRate of [16000, 24000]) {
    const pooled: PlayoutScore[] = [];
    for (const voice of voices) {
      const run = scorePlayout(voice, sentences, sampleRate);
      pooled.push(run);
      const { closures: c, strict: s } = run;
      console.log(
        `${sampleRate / 1000}k    ${voice.voice.padEnd(20)}  ${scoreVowels(run.scored).accuracy.toFixed(3)}   ` +
          `${pct(c.closedSounds, c.sounds)} of ${String(c.sounds).padStart(3)} (${pct(s.closedSounds, s.sounds)})        ` +
          `${pct(c.closedFrames, c.frames)} (${pct(s.closedFrames, s.frames)})                 ${falseClosures(run.scored)}`,
      );
    }
    const sum = (k: keyof ClosureScore, strict = false): number => pooled.reduce((a, r) => a + (strict ? r.strict : r.closures)[k], 0);
    console.log(
      `${sampleRate / 1000}k    ${'pooled'.padEnd(20)}  ${scoreVowels(pooled.flatMap((r) => r.scored)).accuracy.toFixed(3)}   ` +
        `${pct(sum('closedSounds'), sum('sounds'))} of ${String(sum('sounds')).padStart(3)} (${pct(sum('closedSounds', true), sum('sounds', true))})        ` +
        `${pct(sum('closedFrames'), sum('frames'))} (${pct(sum('closedFrames', true), sum('frames', true))})                 ` +
        falseClosures(pooled.flatMap((r) => r.scored)),
    );
  }
}
