import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../contract/live-sessions.ts';
import { MAX_WORD_CHARS, MAX_WORDS, parseAgentMessage, ProtocolError } from './speech-protocol.ts';

const parse = (message: unknown) => parseAgentMessage(JSON.stringify(message));
const text = (words: unknown) => ({ type: 'text', text: 'mama', words });

describe('the agent\'s "text" message and its timed words', () => {
  it('takes words in order, each with its start and end in seconds; "words" may be absent or empty', () => {
    const words = [
      { word: 'Hello', start: 0, end: 0.31 },
      { word: 'there,', start: 0.31, end: 0.62 },
      { word: 'you', start: 0.9, end: 0.9 },
    ];
    expect(parse({ type: 'text', text: 'Hello there, you', words })).toEqual({ type: 'text', text: 'Hello there, you', words });
    expect(parse({ type: 'text', text: 'no timings' })).toEqual({ type: 'text', text: 'no timings', words: [] });
    expect(parse(text([]))).toEqual({ type: 'text', text: 'mama', words: [] });
    const many = Array.from({ length: MAX_WORDS }, (_, i) => ({ word: 'a', start: i * 0.1, end: i * 0.1 + 0.05 }));
    expect((parse(text(many)) as { words: unknown[] }).words).toHaveLength(MAX_WORDS);
  });

  it.each([
    [text({ word: 'mama', start: 0, end: 1 }), /"words" must be an array/],
    [text('mama'), /"words" must be an array/],
    [text([null]), /\[0\] must be an object/],
    [text([['mama', 0, 1]]), /\[0\] must be an object/],
    [text([{ start: 0, end: 1 }]), /\[0\]\.word must be a string of 1 to 64/],
    [text([{ word: '', start: 0, end: 1 }]), /\[0\]\.word must be a string/],
    [text([{ word: 'x'.repeat(MAX_WORD_CHARS + 1), start: 0, end: 1 }]), /\[0\]\.word must be a string/],
    [text([{ word: 7, start: 0, end: 1 }]), /\[0\]\.word must be a string/],
    [text([{ word: 'mama', end: 1 }]), /\[0\]\.start must be a number of seconds from 0 to 600/],
    [text([{ word: 'mama', start: '0', end: 1 }]), /\[0\]\.start must be a number/],
    [text([{ word: 'mama', start: -0.01, end: 1 }]), /\[0\]\.start must be a number/],
    [text([{ word: 'mama', start: 0, end: 600.5 }]), /\[0\]\.end must be a number of seconds from 0 to 600/],
    [text([{ word: 'mama', start: 0, end: null }]), /\[0\]\.end must be a number/],
    [text([{ word: 'mama', start: 0.5, end: 0.4 }]), /\[0\] ends before it starts/],
    [
      text([
        { word: 'mama', start: 0, end: 0.5 },
        { word: 'papa', start: 0.4, end: 0.9 },
      ]),
      /\[1\] starts before the word before it ends/,
    ],
    [
      text([
        { word: 'mama', start: 1, end: 1.5 },
        { word: 'papa', start: 0, end: 0.5 },
      ]),
      /\[1\] starts before the word before it ends/,
    ],
    [text([{ word: 'mama', start: 0, end: 1, confidence: 0.9 }]), /\[0\] has an unknown field "confidence"/],
    [text(Array.from({ length: MAX_WORDS + 1 }, (_, i) => ({ word: 'a', start: i, end: i }))), /at most 1000 words/],
  ])('refuses %j with 4003 and a sentence', (message, sentence) => {
    const refusal = expect.objectContaining({ code: CLOSE.badMessage, message: expect.stringMatching(sentence) });
    expect(() => parse(message)).toThrow(refusal);
    expect(() => parse(message)).toThrow(ProtocolError);
  });

  it('refuses times that JSON cannot carry as finite numbers (1e999 parses to Infinity)', () => {
    expect(() => parseAgentMessage('{"type":"text","text":"a","words":[{"word":"a","start":0,"end":1e999}]}')).toThrow(
      /\[0\]\.end must be a number/,
    );
  });
});
