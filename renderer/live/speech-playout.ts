import { createVisemeAnalyzer, pcm16ToFloat32, type VisemeAnalyzer, type VisemeFrame } from '../../lipsync/index.ts';
import type { MouthInput } from '../engine/face-rig.ts';
import type { Phonemizer } from '../phonemes/espeak-phonemizer.ts';
import type { SpokenWord } from './speech-protocol.ts';
import { ArrivalJitter } from './arrival-jitter.ts';
import { SpokenWords } from './spoken-words.ts';

/** What the player sends during one 10 ms slot of the playout clock. */
export interface PlayoutSlot {
  /** 10 ms of PCM16 (silence when no speech is playing); reused between calls. */
  samples: Int16Array;
  /** The mouth for the speech in this slot, or null (closed) when none plays. */
  mouth: MouthInput | null;
  /** Position of the slot's centre in the received speech (samples since the session began), or null. */
  speechSample: number | null;
}

export type PlayoutEvent = 'playback_started' | 'playback_finished';

/** A segment of speech (one LiveKit audio stream) that has played out or was cut off. */
export interface SegmentEnd {
  /** Seconds of the segment that played. */
  playedSeconds: number;
  interrupted: boolean;
}

export interface SpeechPlayoutOptions {
  sampleRate: number;
  /**
   * Speech waits at most this long after it arrives before it plays, so late chunks do not starve the player; less
   * once the stream has shown it arrives evenly (ArrivalJitter).
   */
  jitterMs: number;
  /** An utterance is finished once no speech has arrived for this long after the queue ran dry. */
  finishAfterMs: number;
  onEvent(event: PlayoutEvent): void;
  /** A segment closed with endSegment() has played to its end. */
  onSegmentEnd?(end: SegmentEnd): void;
  /** Turns the words of `text` messages into phonemes; without it the mouth follows the audio alone. */
  phonemizer?: Phonemizer;
}

type State = 'idle' | 'buffering' | 'playing' | 'starved';

/** Chunks whose queue level catchUp() weighs (half a second of 20 ms chunks), and how many it needs to act. */
const LEVELS = 25;
const LEVELS_KNOWN = 10;
/** Samples this quiet (about -50 dBFS) are silence: a pause a slot of which may be skipped to catch up. */
const SILENT_BELOW = 100;
/**
 * The audio's jaw opening (the analyzer's `open`) at and above which the words' p, b or m presses no lips: a closure
 * is quiet. Halfway there, half pressed. Chosen on held-out speech with the realism judge (bench/realism.bench.ts):
 * 0.5 to 0.8 follow the spoken openness alike, and 0.8 meets the lips on more p, b and m.
 */
const PRESS_UNDER_OPEN = 0.8;

/**
 * The speech side of the playout clock. Visemes are computed when speech arrives; the mouth of a slot is the one
 * analysed for the samples that slot plays, so audio and mouth leave the player together. Where the agent's
 * words (a `text` message) cover the slot and their phonemes are known, the mouth is the phonemes' instead.
 */
export class SpeechPlayout {
  readonly slotSamples: number;
  private readonly analyzer: VisemeAnalyzer;
  private readonly slot: Int16Array;
  private readonly queue: Int16Array[] = [];
  private queueOffset = 0; // samples already taken from queue[0]
  private received = 0; // samples received since the session began
  private played = 0; // of which played or dropped
  private analyzerOrigin = 0; // received-sample index where the analyzer's time 0 lies
  private readonly visemes: VisemeFrame[] = [];
  private mouth: VisemeFrame | null = null;
  private readonly arrivals: { end: number; at: number }[] = [];
  private state: State = 'idle';
  private playAt = 0;
  /**
   * How much speech was queued (ms) just before each of the last chunks that arrived while playing: the wait in effect.
   * catchUp() takes back what of it the jitter no longer needs.
   */
  private readonly levels: number[] = [];
  private starvedSince = 0;
  private wasPlaying = false; // inside an utterance (started, not yet finished)
  // Segments (LiveKit's audio streams), as ranges of received samples: the one still arriving, and those closed
  // but not yet played out, oldest first.
  private openSegmentStart: number | null = null;
  private readonly closedSegments: { start: number; end: number }[] = [];
  private readonly words: SpokenWords;
  private readonly jitter: ArrivalJitter;

  constructor(private readonly options: SpeechPlayoutOptions) {
    this.slotSamples = options.sampleRate / 100;
    this.slot = new Int16Array(this.slotSamples);
    this.analyzer = createVisemeAnalyzer({ sampleRate: options.sampleRate });
    this.words = new SpokenWords(options.sampleRate, options.phonemizer ?? null);
    this.jitter = new ArrivalJitter(options.jitterMs);
  }

  /**
   * The words of a `text` message, timed in seconds from `origin` (a received-sample position; by default here: the
   * next sample received is their time 0). Their phonemes drive the mouth once the phonemizer has them (speech that
   * plays before that follows the audio).
   */
  text(words: readonly SpokenWord[], origin = this.received): void {
    this.words.add(words, origin);
  }

  /** Queues PCM16 little-endian mono speech that arrived at `nowMs`. */
  receive(pcm: Uint8Array, nowMs: number): void {
    const count = pcm.length >> 1;
    if (count === 0) return;
    const samples = new Int16Array(count);
    for (let i = 0; i < count; i++) samples[i] = ((pcm[2 * i] | (pcm[2 * i + 1] << 8)) << 16) >> 16;
    this.openSegmentStart ??= this.received;
    if (this.state === 'playing') {
      this.levels.push(this.queuedMs);
      if (this.levels.length > LEVELS) this.levels.shift();
    }
    this.jitter.arrived(nowMs, (count / this.options.sampleRate) * 1000, this.state !== 'idle');
    const origin = this.analyzerOrigin;
    for (const frame of this.analyzer.push(pcm16ToFloat32(pcm))) {
      this.visemes.push({ ...frame, time: origin + frame.time * this.options.sampleRate });
    }
    this.queue.push(samples);
    this.received += count;
    this.arrivals.push({ end: this.received, at: nowMs });
    if (this.state === 'idle' || this.state === 'starved') {
      if (this.state === 'idle') this.mouth = null;
      this.state = 'buffering';
      this.levels.length = 0;
      this.playAt = nowMs + this.jitter.delayMs;
    }
  }

  /**
   * Closes the segment that is arriving: onSegmentEnd fires once its last sample has played (at once for an empty
   * one, on the next slot).
   */
  endSegment(): void {
    this.closedSegments.push({ start: this.openSegmentStart ?? this.received, end: this.received });
    this.openSegmentStart = null;
    this.words.endSegmentAt(this.received);
  }

  /** Seconds played of the segment now playing (or arriving), or null when no segment is under way. */
  get segmentPlayedSeconds(): number | null {
    const start = this.closedSegments[0]?.start ?? this.openSegmentStart;
    return start === null ? null : Math.max(0, this.played - start) / this.options.sampleRate;
  }

  /** Drops every queued sample (and segment) at once; returns how many milliseconds of speech were dropped. */
  interrupt(): number {
    this.closedSegments.length = 0;
    this.openSegmentStart = null;
    const dropped = this.received - this.played;
    this.queue.length = 0;
    this.queueOffset = 0;
    this.played = this.received;
    this.arrivals.length = 0;
    this.levels.length = 0;
    this.visemes.length = 0;
    this.mouth = null;
    this.words.clear();
    // A fresh analyzer state, so the cut-off utterance's open mouth does not leak into the next one.
    this.analyzer.reset();
    this.analyzerOrigin = this.received;
    this.state = 'idle';
    this.wasPlaying = false;
    return (dropped / this.options.sampleRate) * 1000;
  }

  /** The next 10 ms slot of the playout clock, at `nowMs`. */
  next(nowMs: number): PlayoutSlot {
    const slot = this.slot;
    if (this.state === 'buffering' && nowMs >= this.playAt) {
      const resuming = this.wasPlaying;
      this.state = 'playing';
      if (!resuming) {
        this.wasPlaying = true;
        this.options.onEvent('playback_started');
      }
    }
    if (this.state === 'starved' && nowMs - this.starvedSince >= this.options.finishAfterMs) {
      this.state = 'idle';
      this.wasPlaying = false;
      this.mouth = null;
      this.options.onEvent('playback_finished');
    }
    if (this.state !== 'playing') {
      this.endPlayedSegments();
      slot.fill(0);
      return { samples: slot, mouth: null, speechSample: null };
    }
    this.catchUp();
    const start = this.played;
    const filled = this.take(slot);
    slot.fill(0, filled);
    const centre = start + filled / 2;
    while (this.visemes.length > 0 && this.visemes[0].time <= centre) this.mouth = this.visemes.shift()!;
    while (this.arrivals.length > 0 && this.arrivals[0].end <= start) this.arrivals.shift();
    this.endPlayedSegments();
    if (this.queue.length === 0) {
      this.state = 'starved';
      this.starvedSince = nowMs;
    }
    const frame = this.mouth;
    const spoken = this.words.mouthAt(centre, slot, filled);
    if (spoken) {
      // The words say which shapes; the audio says how far the jaw opens, and when the lips can be pressed: a p, b or m
      // of the words presses them only as far as the audio is quiet there. Phonemes spread over a word by usual lengths
      // miss the sounds' edges by tens of ms, the audio does not (docs/realism.md: the judge's aperture correlation
      // with words, 0.62 before, and 0.69 while the words alone pressed the lips, closing them on vowels).
      if (frame) {
        spoken.open = frame.open;
        if (spoken.consonants?.pp) spoken.consonants.pp *= Math.max(0, 1 - frame.open / PRESS_UNDER_OPEN);
      }
      return { samples: slot, mouth: spoken, speechSample: centre };
    }
    return {
      samples: slot,
      mouth: frame ? { open: frame.open, visemes: frame.weights, consonants: frame.consonants } : null,
      speechSample: centre,
    };
  }

  /**
   * Speech waits the delay of when its utterance (or an underrun) began, and more after a burst (chunks held up, then
   * sent together). Where the speech has queued more than the measured jitter calls for, just before each chunk, the
   * surplus is taken back from silence: a silent slot is skipped (as if played), 10 ms at a time. Only that surplus, and
   * only while the stream keeps time: speech an agent sends ahead of real time queues more with every chunk, and is
   * never skipped, nor is any sound.
   */
  private catchUp(): void {
    const slotMs = 1000 / 100;
    if (this.levels.length < LEVELS_KNOWN) return;
    const low = Math.min(...this.levels);
    const keepsTime = Math.max(...this.levels) - low <= this.jitter.delayMs + slotMs;
    if (!keepsTime || low - slotMs < this.jitter.delayMs || !this.queuedSilent(this.slotSamples)) return;
    this.take(null);
    for (let i = 0; i < this.levels.length; i++) this.levels[i] -= slotMs;
  }

  /** Whether the next `count` queued samples are all silence (below -50 dBFS). */
  private queuedSilent(count: number): boolean {
    let offset = this.queueOffset;
    for (const chunk of this.queue) {
      for (; offset < chunk.length && count > 0; offset++, count--) if (Math.abs(chunk[offset]) > SILENT_BELOW) return false;
      if (count === 0) return true;
      offset = 0;
    }
    return false;
  }

  /** Takes one slot's samples off the queue into `into` (or drops them); returns how many there were. */
  private take(into: Int16Array | null): number {
    let filled = 0;
    while (filled < this.slotSamples && this.queue.length > 0) {
      const head = this.queue[0];
      const take = Math.min(this.slotSamples - filled, head.length - this.queueOffset);
      into?.set(head.subarray(this.queueOffset, this.queueOffset + take), filled);
      filled += take;
      this.queueOffset += take;
      if (this.queueOffset === head.length) {
        this.queue.shift();
        this.queueOffset = 0;
      }
    }
    this.played += filled;
    return filled;
  }

  private endPlayedSegments(): void {
    while (this.closedSegments.length > 0 && this.closedSegments[0].end <= this.played) {
      const { start, end } = this.closedSegments.shift()!;
      this.options.onSegmentEnd?.({ playedSeconds: (end - start) / this.options.sampleRate, interrupted: false });
    }
  }

  /** When the speech sample at `position` arrived (ms), for audio-in to frame-out latency; null if unknown. */
  arrivalOf(position: number): number | null {
    for (const arrival of this.arrivals) if (arrival.end > position) return arrival.at;
    return null;
  }

  /** True while an utterance is queued or playing. */
  get speaking(): boolean {
    return this.state !== 'idle';
  }

  /** Milliseconds of speech received and not yet played. */
  get queuedMs(): number {
    return ((this.received - this.played) / this.options.sampleRate) * 1000;
  }

  /** How long speech that starts an utterance (or follows an underrun) now waits before it plays (ms). */
  get delayMs(): number {
    return this.jitter.delayMs;
  }

  get sampleRate(): number {
    return this.options.sampleRate;
  }

  /** Samples received since the session began: where the next one received lies. */
  get receivedSamples(): number {
    return this.received;
  }

  get receivedSeconds(): number {
    return this.received / this.options.sampleRate;
  }
}
