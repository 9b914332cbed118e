/** The rate the LiveKit path plays speech at: the lip-sync analyzer's (16 and 24 kHz are both tuned; 24 keeps more). */
export const SPEECH_RATE = 24000;

/** What LiveKit agents send: TTS engines speak at 16, 24 or 48 kHz, mono or stereo. */
export const ACCEPTED_RATES = [16000, 24000, 48000] as const;
export const ACCEPTED_CHANNELS = [1, 2] as const;

/** A byte stream's declared format, or a sentence saying why it cannot be played. */
export function parseStreamFormat(attributes: Record<string, string> | undefined): { sampleRate: number; channels: number } | string {
  const rate = Number(attributes?.sample_rate);
  const channels = Number(attributes?.num_channels);
  if (attributes?.sample_rate === undefined || attributes?.num_channels === undefined) {
    return 'The audio stream has no "sample_rate" and "num_channels" attributes.';
  }
  if (!ACCEPTED_RATES.includes(rate as 16000))
    return `The audio stream's sample_rate ${attributes.sample_rate} is not one of 16000, 24000 or 48000.`;
  if (!ACCEPTED_CHANNELS.includes(channels as 1)) return `The audio stream's num_channels ${attributes.num_channels} is not 1 or 2.`;
  return { sampleRate: rate, channels };
}

/**
 * Turns one stream's int16 PCM (little-endian, interleaved, in chunks that may split a sample) into mono PCM16 bytes
 * at SPEECH_RATE: channels are averaged, 48 kHz is halved by averaging pairs (a low-pass on the way down), and
 * 16 kHz is raised by linear interpolation. State carries across chunks, so a stream plays without seams.
 */
export class SpeechFormatter {
  private readonly frameBytes: number;
  private carry = new Uint8Array(0);
  private previous = 0; // the last mono input sample (16 kHz: interpolation's left point; 48 kHz: a pending half-pair)
  private havePending = false;
  private phase = 0; // 16 kHz: output samples emitted since the stream began, mod 3

  constructor(
    private readonly sampleRate: number,
    private readonly channels: number,
  ) {
    this.frameBytes = 2 * channels;
  }

  /** Converts a chunk; returns PCM16 LE bytes at SPEECH_RATE (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    const bytes = this.carry.length ? concat(this.carry, chunk) : chunk;
    const frames = Math.floor(bytes.length / this.frameBytes);
    this.carry = bytes.slice(frames * this.frameBytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, frames * this.frameBytes);
    const mono = new Int16Array(frames);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < this.channels; c++) sum += view.getInt16((f * this.channels + c) * 2, true);
      mono[f] = Math.round(sum / this.channels);
    }
    const out = this.resample(mono);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  private resample(mono: Int16Array): Int16Array {
    if (this.sampleRate === SPEECH_RATE) return mono;
    if (this.sampleRate === 48000) {
      const out = new Int16Array((mono.length + (this.havePending ? 1 : 0)) >> 1);
      let o = 0;
      for (const sample of mono) {
        if (this.havePending) out[o++] = (this.previous + sample) >> 1;
        else this.previous = sample;
        this.havePending = !this.havePending;
      }
      return out;
    }
    // 16 kHz -> 24 kHz: three outputs for every two inputs, at input positions 0, 2/3 and 4/3 past each pair's start.
    const out: number[] = [];
    for (const sample of mono) {
      const left = this.previous;
      // Output k of a pair sits at 2k/3 input samples; those that fall between `left` and `sample` come out now.
      if (this.phase === 0) {
        out.push(left, Math.round(left + ((sample - left) * 2) / 3));
        this.phase = 1;
      } else {
        out.push(Math.round(left + (sample - left) / 3));
        this.phase = 0;
      }
      this.previous = sample;
    }
    return Int16Array.from(out);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
