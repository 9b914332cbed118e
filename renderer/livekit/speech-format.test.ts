import { describe, expect, it } from 'vitest';
import { parseStreamFormat, SPEECH_RATE, SpeechFormatter } from './speech-format.ts';

/** `seconds` of a 440 Hz tone at `rate`, `channels` interleaved (the same on each), as PCM16 LE. */
function tone(rate: number, channels: number, seconds: number): Uint8Array {
  const frames = Math.round(rate * seconds);
  const out = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const sample = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    for (let c = 0; c < channels; c++) out.writeInt16LE(sample, (i * channels + c) * 2);
  }
  return out;
}

function samples(bytes: Uint8Array): Int16Array {
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('SpeechFormatter', () => {
  it.each([
    [16000, 1],
    [24000, 1],
    [48000, 2],
    [48000, 1],
  ])('turns %i Hz with %i channel(s) into the same tone at 24 kHz mono', (rate, channels) => {
    const out = samples(new SpeechFormatter(rate, channels).push(tone(rate, channels, 0.5)));
    expect(Math.abs(out.length - SPEECH_RATE * 0.5)).toBeLessThanOrEqual(1);
    // 16 kHz comes out 1.5 samples late (interpolation waits for the next input); a 48 kHz pair's mean sits a quarter
    // of an output sample after the pair's first.
    const lag = rate === 16000 ? 1.5 : rate === 48000 ? -0.25 : 0;
    let worst = 0;
    for (let i = 4; i < out.length; i++) {
      const truth = 8000 * Math.sin((2 * Math.PI * 440 * (i - lag)) / SPEECH_RATE);
      worst = Math.max(worst, Math.abs(out[i] - truth));
    }
    // Within 1% of full scale of the true tone.
    expect(worst).toBeLessThan(80);
  });

  it('gives the same samples whatever the chunking, odd byte splits included', () => {
    const input = tone(48000, 2, 0.2);
    const whole = samples(new SpeechFormatter(48000, 2).push(input));
    const chunked = new SpeechFormatter(48000, 2);
    const parts: number[] = [];
    for (let offset = 0; offset < input.length; offset += 333) parts.push(...samples(chunked.push(input.subarray(offset, offset + 333))));
    expect(Int16Array.from(parts)).toEqual(whole);
  });
});

describe('parseStreamFormat', () => {
  it('takes what LiveKit agents send and names what it refuses', () => {
    expect(parseStreamFormat({ sample_rate: '24000', num_channels: '1' })).toEqual({ sampleRate: 24000, channels: 1 });
    expect(parseStreamFormat(undefined)).toMatch(/no "sample_rate"/);
    expect(parseStreamFormat({ sample_rate: '44100', num_channels: '1' })).toMatch(/44100 is not one of/);
    expect(parseStreamFormat({ sample_rate: '16000', num_channels: '3' })).toMatch(/num_channels 3/);
    expect(parseStreamFormat({ sample_rate: 'abc', num_channels: '1' })).toMatch(/abc/);
  });
});
