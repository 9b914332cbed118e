import { espeakPcm16 } from '../test/renderer/espeak-speech.ts';

const SENTENCE = 'The quick brown fox jumps over the lazy dog, and then it rests for a while in the warm afternoon sun.';

/** Speech as a TTS gives it, for the live benches: the sentence and a 0.6 s pause, again and again, cut to `seconds`. */
export function speechWithPauses(seconds: number, sampleRate: 16000 | 24000 = 16000): Buffer {
  const sentence = espeakPcm16(SENTENCE, sampleRate);
  const pause = Buffer.alloc(sampleRate * 2 * 0.6);
  const bytes = seconds * sampleRate * 2;
  const parts: Buffer[] = [];
  for (let length = 0; length < bytes; length += sentence.length + pause.length) parts.push(sentence, pause);
  return Buffer.concat(parts).subarray(0, bytes);
}
