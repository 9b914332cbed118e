/**
 * The agent's timed words as a mouth, for SpeechPlayout: each `text` message's words are phonemized off the clock
 * (the phonemizer is asynchronous), aligned to their times (lipsync/text/) and kept as a track on the received
 * speech's sample clock. A slot that a track covers gets its mouth from the phonemes, scaled by the slot's
 * loudness so that a silence inside a word (a pause the timings do not show) still closes the lips.
 */
import { alignPhonemes, type TimedWord } from '../../lipsync/text/align-phonemes.ts';
import { emptyMouth, PhonemeMouth, type TextMouth } from '../../lipsync/text/phoneme-mouth.ts';
import type { MouthInput } from '../engine/face-rig.ts';
import type { Phonemizer } from '../phonemes/espeak-phonemizer.ts';
import type { SpokenWord } from './speech-protocol.ts';

/** A slot this far below the speech's recent peak is silence (the mouth closes); this far above that, fully spoken. */
const SILENCE_BELOW_PEAK_DB = 45;
const LOUD_SPAN_DB = 15;
const PEAK_DECAY_DB_PER_SLOT = 0.02;
/** The gate opens at once with sound and falls over a few slots, so a stop's short silence does not flicker. */
const GATE_RELEASE = 0.5;
/**
 * An agent that sends words far faster than it speaks gets no more than this: the phonemizations under way (more
 * are left to the audio) and the tracks kept (the oldest goes first).
 */
const MAX_PENDING = 4;
/**
 * How far from where the words put a p, b or m its pressed lips may show, and the step that looks there. Phonemes
 * spread over a word by usual lengths miss a closure by tens of ms; 30 ms either side, gated by the audio's quiet,
 * met the lips on 51 of 64 held-out p/b/m sounds against 47 without (bench/realism.bench.ts, every frame).
 */
const PRESS_STEP_S = 0.01;
const PRESS_STEPS = 3; // 30 ms
const MAX_TRACKS = 256;

/** A message's words as a mouth: from its origin until the end of the speech segment it came with (seconds). */
interface Track {
  mouth: PhonemeMouth;
  origin: number;
  until: number;
}

export class SpokenWords {
  private readonly tracks: Track[] = [];
  /** Where the latest speech segments ended (seconds, ascending): words never run past their own segment's end. */
  private readonly segmentEnds: number[] = [];
  private epoch = 0; // clear() drops the answers of phonemizations under way
  private pending = 0;
  private peakDb = -60;
  private gate = 0;
  private readonly near = emptyMouth();

  constructor(
    private readonly sampleRate: number,
    private readonly phonemizer: Phonemizer | null,
  ) {}

  /** Words timed in seconds from `origin` (a received-sample position). */
  add(words: readonly SpokenWord[], origin: number): void {
    if (!this.phonemizer || words.length === 0 || this.pending >= MAX_PENDING) return;
    const epoch = this.epoch;
    const base = origin / this.sampleRate;
    this.pending++;
    void this.phonemizer
      .phonemize(words.map((w) => w.word))
      .then(
        (phonemes) => {
          if (!phonemes || epoch !== this.epoch) return;
          const timed: TimedWord[] = words.map((w, i) => ({ start: base + w.start, end: base + w.end, phonemes: phonemes[i] }));
          const mouth = new PhonemeMouth(alignPhonemes(timed));
          if (mouth.end === Number.NEGATIVE_INFINITY) return;
          if (this.tracks.length >= MAX_TRACKS) this.tracks.shift();
          this.tracks.push({ mouth, origin: base, until: this.segmentEnds.find((end) => end > base) ?? Number.POSITIVE_INFINITY });
        },
        () => {}, // a phonemizer that failed leaves these words to the audio
      )
      .finally(() => this.pending--);
  }

  /**
   * A speech segment (a LiveKit audio stream) ended at `sample`: words timed from before it cover no speech after it,
   * even when their times run longer than its audio (the next segment's audio is not theirs).
   */
  endSegmentAt(sample: number): void {
    const end = sample / this.sampleRate;
    for (const track of this.tracks) if (track.origin < end) track.until = Math.min(track.until, end);
    this.segmentEnds.push(end);
    if (this.segmentEnds.length > MAX_TRACKS) this.segmentEnds.shift();
  }

  /** Forgets every track and every answer still to come (an interruption dropped their speech). */
  clear(): void {
    this.tracks.length = 0;
    this.epoch++;
  }

  /**
   * The mouth for the slot centred on `centre` (a received-sample position) playing `samples[0..filled)`, or
   * null where no track covers it.
   */
  mouthAt(centre: number, samples: Int16Array, filled: number): MouthInput | null {
    this.follow(samples, filled);
    if (this.tracks.length === 0) return null;
    const t = centre / this.sampleRate;
    while (this.tracks.length > 0 && Math.min(this.tracks[0].mouth.end, this.tracks[0].until) <= t) this.tracks.shift();
    const live = this.tracks.filter((k) => t < k.until);
    // Tracks may meet (one utterance's closing rest, the next one's first word): a phoneme wins over a rest.
    const track = live.find((k) => k.mouth.sounds(t)) ?? live.find((k) => k.mouth.covers(t));
    const mouth = track?.mouth.at(t);
    if (track && mouth) {
      // A p, b or m of the words reaches 30 ms either side of where they put it (within its segment): the
      // audio says where in that the lips actually close (SpeechPlayout presses them only as far as it is quiet).
      for (let k = -PRESS_STEPS; k <= PRESS_STEPS; k++) {
        const at = t + k * PRESS_STEP_S;
        if (k !== 0 && at < track.until)
          mouth.consonants.pp = Math.max(mouth.consonants.pp, track.mouth.at(at, this.near)?.consonants.pp ?? 0);
      }
      const g = this.gate;
      mouth.open *= g;
      for (const v in mouth.visemes) mouth.visemes[v as keyof TextMouth['visemes']] *= g;
      // Lips pressed for p, b, m stay pressed in a stop's silence: only the open shapes fade with the sound.
      for (const c of ['ff', 'ss', 'th'] as const) mouth.consonants[c] *= g;
      return mouth;
    }
    return null;
  }

  private follow(samples: Int16Array, filled: number): void {
    let sum = 0;
    for (let i = 0; i < filled; i++) sum += samples[i] * samples[i];
    const db = filled > 0 ? 10 * Math.log10(sum / filled / (32768 * 32768) + 1e-12) : -120;
    this.peakDb = Math.max(db, this.peakDb - PEAK_DECAY_DB_PER_SLOT);
    const target = Math.min(1, Math.max(0, (db - (this.peakDb - SILENCE_BELOW_PEAK_DB)) / LOUD_SPAN_DB));
    this.gate = target >= this.gate ? target : this.gate + (target - this.gate) * GATE_RELEASE;
  }
}
