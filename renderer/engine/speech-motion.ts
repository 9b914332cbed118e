import type { TalkMotion } from './face-state.ts';
import { blinkClosure, smooth, type Blink } from './idle-motion.ts';
import { createRandom } from './seeded-random.ts';
import { ProsodyTracker } from './speech-prosody.ts';

/** A movement that rises to `amount` and falls back, as one gesture. */
interface Gesture {
  start: number;
  rise: number;
  fall: number;
  amount: number;
}

/** What the motion keeps of each slot, to answer frames between slots. */
interface SlotTrace {
  t: number;
  loud: number;
  listen: number;
}

/** Largest nod of a strong accent, in face heights (a few degrees of head pitch). */
const ACCENT_NOD = 0.024;
/** Head roll of an accent, radians (about a degree). */
const ACCENT_TILT = 0.02;
/** A listener's slow nod, in face heights: well under a speaker's. */
const LISTEN_NOD = 0.009;
/** Head lowers a little with the speech's loudness, in face heights. */
const LOUD_NOD = 0.004;
/** A nod follows its pitch accent by about this much (head motion lags the voice's peak). */
const NOD_LAG = 0.1;
/** Hysteresis of the syllable peak picker, dB. */
const PEAK_DROP_DB = 3;
/** Silence after speech that counts as a phrase boundary, and that ends an utterance (the face then listens). */
const PAUSE_SECONDS = 0.15;
const LISTEN_AFTER_SECONDS = 0.6;
/** How far back accents look for the pitch rise into them, and how many slots are kept for frames. */
const RISE_WINDOW = 25;
const TRACE_SLOTS = 64;

/**
 * Speech-driven motion of a face that talks, and of one that listens between utterances: nods and tilts on the
 * pitch accents of the speech (a loud, voiced, rising-pitch syllable peak; the nod lags it by 100 ms), the head
 * lowering a little with loudness, brows that lift on the strongest accents, blinks at phrase boundaries, and
 * small slow nods with an attentive gaze and slightly raised brows while listening.
 *
 * Feed it every 10 ms slot of the playout in order (push), then ask for any frame's motion up to the last slot
 * (at). It owns the blinks (spontaneous ones too, kept clear of the phrase-boundary ones), so the animator leaves
 * out the idle blinks; idle sway, gaze and breathing go on under it. Deterministic: a pure function of the seed
 * and the slots pushed (their samples and times).
 */
export class SpeechMotion {
  private tracker: ProsodyTracker | null = null;
  private readonly random: () => number;
  private readonly nods: Gesture[] = [];
  private readonly tilts: Gesture[] = [];
  private readonly brows: Gesture[] = [];
  private readonly blinkList: Blink[] = [];
  private readonly accentTimes: number[] = [];
  private readonly pauseTimes: number[] = [];
  private readonly trace: SlotTrace[] = [];
  private readonly pitches: (number | null)[] = [];
  private env = -90;
  private speakerDb = -26;
  private speakerPitch: number | null = null;
  private loud = 0;
  private listen = 1;
  private lastSpeechAt = Number.NEGATIVE_INFINITY;
  private phraseSeconds = 0;
  private pauseMarked = true;
  private rising = true;
  private peak = { env: -90, t: 0, slot: 0 };
  private trough = -90;
  private slotCount = 0;
  private lastAccentAt = Number.NEGATIVE_INFINITY;
  private nextBlinkAt: number;
  private nextListenNodAt: number;

  constructor(seed: number) {
    this.random = createRandom((seed ^ 0x5bd1e995) >>> 0);
    // Like idle motion, the first blink comes early so even a short session shows one.
    this.nextBlinkAt = 0.4 + this.random() * 1.2;
    this.nextListenNodAt = 1.5 + this.random() * 2.5;
  }

  /**
   * The next 10 ms slot: its PCM16 samples (null or all zero when nothing plays), their rate, and the slot's start
   * on the frame clock in seconds. Slots must come in time order.
   */
  push(samples: Int16Array | null, sampleRate: number, atSeconds: number): void {
    if (this.tracker?.sampleRate !== sampleRate) this.tracker = new ProsodyTracker(sampleRate);
    const { levelDb, pitch } = this.tracker.push(samples);
    const t = atSeconds + 0.005;
    const slot = this.slotCount++;
    this.pitches[slot % RISE_WINDOW] = pitch;
    this.env += (Math.max(-90, levelDb) - this.env) * 0.45;
    const speech = levelDb > -50 && levelDb > this.speakerDb - 30;
    if (speech) {
      this.speakerDb += (this.env - this.speakerDb) * 0.01;
      if (pitch !== null) this.speakerPitch = this.speakerPitch === null ? pitch : this.speakerPitch + (pitch - this.speakerPitch) * 0.02;
      this.lastSpeechAt = t;
      this.phraseSeconds += 0.01;
      this.pauseMarked = false;
      this.findAccent(t, slot);
    } else {
      this.rising = true;
      this.peak = { env: -90, t, slot };
      if (!this.pauseMarked && t - this.lastSpeechAt >= PAUSE_SECONDS) this.phraseBoundary(t);
    }
    const speaking = t - this.lastSpeechAt < LISTEN_AFTER_SECONDS;
    const loudNow = speech ? Math.min(1, Math.max(0, (this.env - (this.speakerDb - 12)) / 12)) : 0;
    this.loud += (loudNow - this.loud) * 0.08;
    this.listen += ((speaking ? 0 : 1) - this.listen) * (speaking ? 0.08 : 0.025);
    if (!speaking && t >= this.nextListenNodAt) this.listeningNod(t);
    if (t >= this.nextBlinkAt) this.spontaneousBlink(t, speaking);
    this.trace.push({ t, loud: this.loud, listen: this.listen });
    if (this.trace.length > TRACE_SLOTS) this.trace.shift();
    this.forget(t - 30);
  }

  /** The motion at t seconds (frames between slots take the nearest slot's smooth parts). */
  at(t: number): TalkMotion {
    const trace = this.traceAt(t);
    const listen = smooth(trace.listen);
    const nod = sum(this.nods, t) + LOUD_NOD * trace.loud;
    return {
      nod,
      tilt: sum(this.tilts, t),
      brows: Math.min(1, sum(this.brows, t) + 0.15 * listen),
      blink: blinkClosure(this.blinkList, t),
      attend: 0.25 + 0.5 * listen,
      ownsBlinks: true,
    };
  }

  /** Blinks scheduled so far. */
  blinks(): Blink[] {
    return this.blinkList.map((b) => ({ ...b }));
  }

  /** Times of the pitch accents found so far (seconds; each nod starts NOD_LAG after its accent). */
  accents(): number[] {
    return [...this.accentTimes];
  }

  /** Times where phrases ended (the last speech before a pause of 150 ms or more). */
  pauses(): number[] {
    return [...this.pauseTimes];
  }

  /** Syllable peaks of the level envelope, picked with hysteresis; a loud, voiced one with rising pitch is an accent. */
  private findAccent(t: number, slot: number): void {
    if (this.rising) {
      if (this.env > this.peak.env) this.peak = { env: this.env, t, slot };
      else if (this.env < this.peak.env - PEAK_DROP_DB) {
        this.rising = false;
        this.trough = this.env;
        this.judgePeak(t);
      }
    } else {
      this.trough = Math.min(this.trough, this.env);
      if (this.env > this.trough + PEAK_DROP_DB) {
        this.rising = true;
        this.peak = { env: this.env, t, slot };
      }
    }
  }

  private judgePeak(now: number): void {
    const { env, t, slot } = this.peak;
    // Pitch at the peak: the highest voiced pitch within 30 ms of it; the rise: from the lowest of the 200 ms before.
    let atPeak: number | null = null;
    let before: number | null = null;
    for (let k = Math.max(0, this.slotCount - RISE_WINDOW); k < this.slotCount; k++) {
      const p = this.pitches[k % RISE_WINDOW];
      if (p === null || p === undefined) continue;
      if (Math.abs(k - slot) <= 3) atPeak = atPeak === null ? p : Math.max(atPeak, p);
      if (k <= slot && slot - k <= 20) before = before === null ? p : Math.min(before, p);
    }
    if (atPeak === null || before === null || this.speakerPitch === null) return;
    const rise = atPeak - before;
    const height = atPeak - this.speakerPitch;
    const loudness = env - (this.speakerDb - 4);
    if (loudness < 0 || (rise < 1 && height < 1.5) || t - this.lastAccentAt < 0.3) return;
    this.lastAccentAt = t;
    this.accentTimes.push(t);
    const strength = Math.min(1, 0.4 + loudness / 10) * Math.min(1, 0.4 + Math.max(rise, height) / 5);
    const r = this.random;
    const start = Math.max(now + 0.01, t + NOD_LAG);
    this.nods.push({ start, rise: 0.14, fall: 0.3, amount: ACCENT_NOD * strength * (0.7 + 0.6 * r()) });
    this.tilts.push({ start, rise: 0.25, fall: 0.9, amount: ACCENT_TILT * strength * (r() < 0.5 ? -1 : 1) * (0.5 + r()) });
    if (strength > 0.5 && (rise >= 3 || r() < 0.55)) {
      this.brows.push({ start: Math.max(now + 0.01, t - 0.02), rise: 0.12, fall: 0.45, amount: Math.min(1, 0.4 + strength * 0.6) });
    }
  }

  /** A pause after a phrase: most such pauses get a blink a little after the voice stops. */
  private phraseBoundary(now: number): void {
    this.pauseMarked = true;
    const phrase = this.phraseSeconds;
    this.phraseSeconds = 0;
    if (phrase < 0.25) return;
    this.pauseTimes.push(this.lastSpeechAt);
    const r = this.random;
    const last = this.blinkList[this.blinkList.length - 1];
    const recent = last !== undefined && now - last.start < 0.8;
    if (recent || r() > 0.8) return;
    const start = Math.max(now + 0.01, this.lastSpeechAt + 0.1 + r() * 0.15);
    this.blink(start);
    // Spontaneous blinks keep clear of this one rather than doubling it.
    this.nextBlinkAt = Math.max(this.nextBlinkAt, start + 1.5 + r() * 2);
  }

  private spontaneousBlink(now: number, speaking: boolean): void {
    const r = this.random;
    const start = Math.max(now, this.nextBlinkAt);
    const end = this.blink(start);
    // About one blink in six is doubled; while talking they are rarer (phrase boundaries add their own).
    const double = r() < 0.16;
    this.nextBlinkAt = end + (double ? 0.08 + r() * 0.1 : speaking ? 3 + r() * 4 : 2 + r() * 4);
  }

  private blink(start: number): number {
    const duration = 0.1 + this.random() * 0.05;
    this.blinkList.push({ start, duration });
    return start + duration;
  }

  private listeningNod(now: number): void {
    const r = this.random;
    const amount = LISTEN_NOD * (0.6 + 0.4 * r());
    this.nods.push({ start: now + 0.01, rise: 0.4, fall: 0.65, amount });
    // Now and then a second, smaller nod right after the first ("mm-hm").
    if (r() < 0.3) this.nods.push({ start: now + 0.8, rise: 0.35, fall: 0.55, amount: amount * 0.7 });
    this.nextListenNodAt = now + 2.5 + r() * 3.5;
  }

  private traceAt(t: number): SlotTrace {
    const trace = this.trace;
    if (trace.length === 0) return { t, loud: 0, listen: 1 };
    let k = trace.length - 1;
    while (k > 0 && trace[k].t > t) k--;
    return trace[k];
  }

  /** Gestures long over are dropped, so a long session's frames stay as cheap as its first. */
  private forget(before: number): void {
    for (const list of [this.nods, this.tilts, this.brows]) {
      while (list.length > 0 && list[0].start + list[0].rise + list[0].fall < before) list.shift();
    }
    while (this.blinkList.length > 0 && this.blinkList[0].start < before) this.blinkList.shift();
    while (this.accentTimes.length > 0 && this.accentTimes[0] < before) this.accentTimes.shift();
    while (this.pauseTimes.length > 0 && this.pauseTimes[0] < before) this.pauseTimes.shift();
  }
}

function sum(gestures: readonly Gesture[], t: number): number {
  let total = 0;
  for (const g of gestures) {
    const x = t - g.start;
    if (x <= 0 || x >= g.rise + g.fall) continue;
    total += g.amount * (x < g.rise ? smooth(x / g.rise) : 1 - smooth((x - g.rise) / g.fall));
  }
  return total;
}
