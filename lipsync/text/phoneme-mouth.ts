/**
 * The mouth over time from timed phonemes: each phoneme's shape (phoneme-shapes.ts) held over its span, blended
 * into its neighbours over short ramps (coarticulation) so the lips move the way speech moves them, not in steps.
 * Consonants that do not shape the lips (t, k, n, h) take the lips of the vowel after them (or before). The lips
 * close fully for the whole of a p, b or m: their ramps lie in the neighbours, as real lips close before the
 * sound stops and part as it bursts. Between words of one phrase the mouth rests closed; outside the words'
 * phrases (plus a short margin) the track says nothing, and the caller falls back to the audio.
 */
import { CONSONANTS, type Consonant } from '../consonants.ts';
import { VISEMES, type Viseme } from '../vowel-space.ts';
import type { TimedPhoneme } from './align-phonemes.ts';
import type { PhonemeShape } from './phoneme-shapes.ts';

/** The mouth at one instant: the fields of the renderer's MouthInput, every weight present. */
export interface TextMouth {
  open: number;
  visemes: Record<Viseme, number>;
  consonants: Record<Consonant, number>;
}

export interface PhonemeMouthOptions {
  /** Half-width of the blend between two phonemes, seconds (default 0.03); never more than 45% of either. */
  rampS?: number;
  /** Words closer than this are one phrase: the mouth rests closed between them (default 0.15 s). */
  joinGapS?: number;
  /** The track covers this much before a phrase's first phoneme (default 0.05 s). */
  marginS?: number;
  /**
   * And this much after its last, resting closed (default 0.12 s): the audio's analyzer, still releasing the last
   * vowel, would open the mouth again in the pause that follows.
   */
  tailS?: number;
}

interface Segment {
  start: number;
  end: number;
  from: TextMouth;
  /** The target at the segment's end (differs from `from` for a diphthong's glide). */
  to: TextMouth;
  /** Where the glide starts, 0..1 of the segment. */
  glideAt: number;
  closed: boolean;
}

const REST: PhonemeShape = { open: 0, visemes: {}, consonants: {}, weight: 1 };
const GLIDE_FROM = 0.7;

function mouthOf(shape: PhonemeShape, lips?: Partial<Record<Viseme, number>>): TextMouth {
  const visemes = Object.fromEntries(VISEMES.map((v) => [v, lips ? (lips[v] ?? 0) * 0.6 : (shape.visemes[v] ?? 0)]));
  const consonants = Object.fromEntries(CONSONANTS.map((c) => [c, shape.consonants[c] ?? 0]));
  return { open: shape.open, visemes, consonants } as TextMouth;
}

export function emptyMouth(): TextMouth {
  return mouthOf(REST);
}

function mix(a: TextMouth, b: TextMouth, k: number, out: TextMouth): TextMouth {
  out.open = a.open + (b.open - a.open) * k;
  for (const v of VISEMES) out.visemes[v] = a.visemes[v] + (b.visemes[v] - a.visemes[v]) * k;
  for (const c of CONSONANTS) out.consonants[c] = a.consonants[c] + (b.consonants[c] - a.consonants[c]) * k;
  return out;
}

const smooth = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));

export class PhonemeMouth {
  private readonly segments: Segment[] = [];
  /** Covered spans [start, end), one per phrase. */
  private readonly spans: { start: number; end: number }[] = [];
  private readonly ramp: number;
  private readonly scratch = [emptyMouth(), emptyMouth(), emptyMouth()];

  constructor(phonemes: readonly TimedPhoneme[], options: PhonemeMouthOptions = {}) {
    this.ramp = options.rampS ?? 0.03;
    const joinGap = options.joinGapS ?? 0.15;
    const margin = options.marginS ?? 0.05;
    const tail = options.tailS ?? 0.12;
    const sorted = phonemes.filter((p) => p.end > p.start).sort((a, b) => a.start - b.start);
    const rest = (start: number, end: number): Segment => {
      const m = mouthOf(REST);
      return { start, end, from: m, to: m, glideAt: 1, closed: false };
    };
    for (let i = 0; i < sorted.length; i++) {
      const p = sorted[i];
      const previous = this.segments.at(-1);
      if (!previous || p.start - previous.end > joinGap) {
        const from = previous ? Math.max(p.start - margin, previous.end + tail) : p.start - margin;
        if (previous) this.segments.push(rest(previous.end, previous.end + tail));
        this.spans.push({ start: from, end: p.end + tail });
        this.segments.push(rest(from, p.start));
      } else if (p.start > previous.end) {
        this.segments.push(rest(previous.end, p.start));
      }
      const start = Math.max(p.start, this.segments.at(-1)!.end);
      if (p.end <= start) continue;
      const lips = p.shape.neutral ? lipsNear(sorted, i, joinGap) : undefined;
      const from = mouthOf(p.shape, lips);
      const to = p.shape.glide ? mouthOf({ ...p.shape, visemes: { [p.shape.glide]: 1 } }) : from;
      this.segments.push({ start, end: p.end, from, to, glideAt: p.shape.glide ? GLIDE_FROM : 1, closed: p.shape.consonants.pp === 1 });
      this.spans[this.spans.length - 1].end = p.end + tail;
    }
    const last = this.segments.at(-1);
    if (last) this.segments.push(rest(last.end, last.end + tail));
  }

  /** Seconds where the track ends (the last phrase's margin included); -Infinity when empty. */
  get end(): number {
    return this.spans.at(-1)?.end ?? Number.NEGATIVE_INFINITY;
  }

  /** True when `t` lies in a phrase of the track (its margins included). */
  covers(t: number): boolean {
    return this.spans.some((s) => t >= s.start && t < s.end);
  }

  /** True when `t` lies in one of the track's phonemes (not in a rest between or around them). */
  sounds(t: number): boolean {
    if (!this.covers(t)) return false;
    const seg = this.segments[this.indexAt(t)];
    return seg.from.open > 0 || seg.from !== seg.to || CONSONANTS.some((c) => seg.from.consonants[c] > 0);
  }

  /** The mouth at `t` (seconds), or null where the track says nothing. Writes into `out` when given. */
  at(t: number, out: TextMouth = emptyMouth()): TextMouth | null {
    if (!this.covers(t)) return null;
    const i = this.indexAt(t);
    const seg = this.segments[i];
    const [here, there] = this.scratch;
    this.targetAt(seg, t, here);
    // The blend with the neighbour across the nearer boundary, if t lies in that boundary's ramp.
    const previous = this.segments[i - 1];
    const next = this.segments[i + 1];
    const before = previous && previous.end === seg.start ? this.blendWindow(previous, seg) : null;
    const after = next && next.start === seg.end ? this.blendWindow(seg, next) : null;
    if (before && t < before.to) {
      this.targetAt(previous, previous.end, there);
      return mix(there, here, smooth((t - before.from) / (before.to - before.from)), out);
    }
    if (after && t >= after.from) {
      this.targetAt(next, next.start, there);
      return mix(here, there, smooth((t - after.from) / (after.to - after.from)), out);
    }
    return mix(here, here, 0, out);
  }

  /** The ramp across the boundary between a and b: centred, or outside a p/b/m so its closure is held throughout. */
  private blendWindow(a: Segment, b: Segment): { from: number; to: number } {
    const at = a.end;
    const width = Math.min(this.ramp, 0.45 * (a.end - a.start), 0.45 * (b.end - b.start));
    if (b.closed && !a.closed) {
      const w = Math.min(this.ramp, 0.45 * (a.end - a.start));
      return { from: at - w, to: at };
    }
    if (a.closed && !b.closed) {
      const w = Math.min(this.ramp, 0.45 * (b.end - b.start));
      return { from: at, to: at + w };
    }
    return { from: at - width, to: at + width };
  }

  private targetAt(seg: Segment, t: number, out: TextMouth): TextMouth {
    if (seg.from === seg.to) return mix(seg.from, seg.from, 0, out);
    const x = (t - seg.start) / (seg.end - seg.start);
    return mix(seg.from, seg.to, smooth((x - seg.glideAt) / (1 - seg.glideAt)), out);
  }

  private cursor = 0;

  /** The segment under t; playout asks in increasing t, so it walks from the last answer. */
  private indexAt(t: number): number {
    const s = this.segments;
    let i = Math.min(this.cursor, s.length - 1);
    while (i > 0 && t < s[i].start) i--;
    while (i < s.length - 1 && t >= s[i].end) i++;
    this.cursor = i;
    return i;
  }
}

/** The lips of the vowel nearest after phoneme i in its phrase (else before): t in "tea" is already spread. */
function lipsNear(phonemes: readonly TimedPhoneme[], i: number, joinGap: number): Partial<Record<Viseme, number>> | undefined {
  const isVowel = (p: TimedPhoneme) => Object.keys(p.shape.visemes).length > 0 && p.shape.open >= 0.35;
  for (let j = i + 1; j < phonemes.length && phonemes[j].start - phonemes[j - 1].end <= joinGap; j++)
    if (isVowel(phonemes[j])) return phonemes[j].shape.visemes;
  for (let j = i - 1; j >= 0 && phonemes[j + 1].start - phonemes[j].end <= joinGap; j--)
    if (isVowel(phonemes[j])) return phonemes[j].shape.visemes;
  return undefined;
}
