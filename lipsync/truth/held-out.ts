/**
 * Lip-sync on held-out espeak-ng speech (HELD_OUT_VOICES × HELD_OUT_SENTENCES: none is tested or fitted on,
 * and the analyzer's thresholds were chosen on the others),
 * through the live path's SpeechPlayout as a session plays it. Per voice and sample rate:
 * - vowel accuracy (score-visemes.ts's scoreVowels);
 * - p/b/m sounds with a fully closed frame (the analyzer's 'closed', open < 0.1), and the closed share of their
 *   frames: with a stop's closure silence taken in (bilabialSpans), with espeak-ng's own event spans ("strict"), and
 *   with the lips shut tighter (open < 0.05);
 * - what closes where it should not: the closed share of vowel frames and of the other consonants' frames.
 * Run: npx tsx lipsync/truth/held-out.ts [corpus]   (corpus: held-out (default), tested, fit)
 */
import { SpeechPlayout } from '../../renderer/live/speech-playout.ts';
import { float32ToPcm16 } from '../pcm16.ts';
import { CLOSED_BELOW, type VisemeFrame } from '../viseme-analyzer.ts';
import { VISEMES, type Viseme } from '../vowel-space.ts';
import { CORPORA } from './corpus.ts';
import { buildEspeakHelper, type SpeakOptions, type SpokenText, speak } from './espeak-truth.ts';
import { CONSONANTS, type Consonant } from '../consonants.ts';
import { phonemeTableOf } from './phoneme-tables.ts';
import {
  addConsonantScores,
  alignFrames,
  type ClosureScore,
  type ConsonantScore,
  noConsonantScores,
  type ScoredFrame,
  scoreClosures,
  scoreConsonants,
  scoreVowels,
} from './score-visemes.ts';

type Voice = Omit<SpeakOptions, 'sampleRate'>;
const SHUT_BELOW = 0.05;

export interface PlayoutScore {
  scored: ScoredFrame[];
  closures: ClosureScore;
  strict: ClosureScore;
  shut: ClosureScore;
  consonants: Record<Consonant, ConsonantScore>;
}

const noClosures = (): ClosureScore => ({ sounds: 0, closedSounds: 0, frames: 0, closedFrames: 0 });
function addClosures(into: ClosureScore, s: ClosureScore): void {
  for (const k of Object.keys(into) as (keyof ClosureScore)[]) into[k] += s[k];
}

/** One voice speaks every sentence, one utterance each, into one SpeechPlayout (one live session). */
export function scorePlayout(voice: Voice, sentences: readonly string[], sampleRate: number): PlayoutScore {
  const playout = new SpeechPlayout({ sampleRate, jitterMs: 60, finishAfterMs: 250, onEvent: () => {} });
  const score: PlayoutScore = {
    scored: [],
    closures: noClosures(),
    strict: noClosures(),
    shut: noClosures(),
    consonants: noConsonantScores(),
  };
  const table = phonemeTableOf(voice.voice);
  let now = 0;
  let origin = 0; // received samples before this utterance
  for (const sentence of sentences) {
    const speech = speak(sentence, { ...voice, sampleRate });
    const played = playUtterance(playout, speech, now, origin);
    const { frames } = played;
    now = played.endMs;
    origin += speech.samples.length;
    const scored = alignFrames(speech, frames, table);
    score.scored.push(...scored);
    addConsonantScores(score.consonants, scoreConsonants(speech, frames, scored));
    addClosures(score.closures, scoreClosures(speech, frames));
    addClosures(score.strict, scoreClosures(speech, frames, { strict: true }));
    addClosures(score.shut, scoreClosures(speech, frames, { below: SHUT_BELOW }));
  }
  return score;
}

/**
 * Plays one utterance through `playout` from `nowMs` as a session does, slot by slot until it finishes, and returns the
 * mouth of each slot that played speech as a VisemeFrame (time from the utterance's start; `origin`: samples received
 * before it), and the playout clock's time once it has finished.
 */
export function playUtterance(
  playout: SpeechPlayout,
  speech: SpokenText,
  nowMs: number,
  origin: number,
): { frames: VisemeFrame[]; endMs: number } {
  playout.receive(float32ToPcm16(speech.samples), nowMs);
  const frames: VisemeFrame[] = [];
  let now = nowMs;
  while (playout.speaking) {
    const slot = playout.next(now);
    now += 10;
    if (slot.speechSample === null) continue;
    const open = slot.mouth?.open ?? 0;
    const weights = (slot.mouth?.visemes ?? {}) as Record<Viseme, number>;
    const best = VISEMES.reduce((a, b) => ((weights[b] ?? 0) > (weights[a] ?? 0) ? b : a));
    frames.push({
      time: (slot.speechSample - origin) / playout.sampleRate,
      open,
      weights,
      viseme: open < CLOSED_BELOW ? 'closed' : best,
      consonants: slot.mouth?.consonants as Record<Consonant, number> | undefined,
    });
  }
  return { frames, endMs: now };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2] ?? 'held-out';
  const [sentences, voices] = CORPORA[name] ?? [];
  if (!sentences) throw new Error(`unknown corpus ${name}: ${Object.keys(CORPORA).join(', ')}`);
  buildEspeakHelper();
  const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(0)}%`.padStart(4);
  const closedShare = (scored: ScoredFrame[], keep: (s: ScoredFrame) => boolean): string => {
    const xs = scored.filter(keep);
    return pct(xs.filter((s) => s.frame.viseme === 'closed').length, xs.length);
  };
  const row = (label: string, runs: PlayoutScore[]): string => {
    const scored = runs.flatMap((r) => r.scored);
    const sum = (k: 'closures' | 'strict' | 'shut'): ClosureScore => {
      const total = noClosures();
      for (const r of runs) addClosures(total, r[k]);
      return total;
    };
    const [c, s, t] = [sum('closures'), sum('strict'), sum('shut')];
    return [
      label.padEnd(26),
      scoreVowels(scored).accuracy.toFixed(3),
      `   ${String(c.sounds).padStart(3)}  ${pct(c.closedSounds, c.sounds)} ${pct(s.closedSounds, s.sounds)} ${pct(t.closedSounds, t.sounds)}`,
      `   ${pct(c.closedFrames, c.frames)} ${pct(s.closedFrames, s.frames)} ${pct(t.closedFrames, t.frames)}`,
      `    ${closedShare(scored, (x) => x.truth !== 'closed' && x.truth !== 'other')}  ${closedShare(scored, (x) => x.truth === 'other')}`,
      `   ${consonantCells(runs)}`,
    ].join(' ');
  };
  const consonantCells = (runs: PlayoutScore[]): string => {
    const total = noConsonantScores();
    for (const r of runs) addConsonantScores(total, r.consonants);
    return CONSONANTS.map((c) => `${pct(total[c].detected, total[c].sounds)} ${pct(total[c].falseOnVowels, total[c].vowelFrames)}`).join(
      '  ',
    );
  };
  console.log(`${name} corpus, through SpeechPlayout`);
  console.log(
    `${''.padEnd(26)}          p/b/m sounds closed   p/b/m frames closed  closed where not   consonant sounds detected, vowel frames taken (weight > 0.5)`,
  );
  console.log(
    `${'rate  voice'.padEnd(26)} vowels     n  all strict <.05    all strict <.05    vowels others   ${CONSONANTS.map((c) => `${c}: hit false`).join(' ')}`,
  );
  for (const sampleRate of [16000, 24000]) {
    const runs = voices.map((voice) => scorePlayout(voice, sentences, sampleRate));
    voices.forEach((voice, i) => console.log(row(`${sampleRate / 1000}k   ${voice.voice}`, [runs[i]])));
    console.log(row(`${sampleRate / 1000}k   pooled`, runs));
  }
}
