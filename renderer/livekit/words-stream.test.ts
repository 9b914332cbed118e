import { describe, expect, it } from 'vitest';
import { parseWordsStream, WORDS_SEGMENT_ATTRIBUTE } from './words-stream.ts';

const attributes = { [WORDS_SEGMENT_ATTRIBUTE]: 'AUDIO_x1' };
const body = (value: unknown) => JSON.stringify(value);

describe('the avatars.words text stream', () => {
  it("reads the segment's stream id and its words, checked as the speech socket's", () => {
    const words = [
      { word: 'Hello', start: 0, end: 0.31 },
      { word: 'there.', start: 0.4, end: 0.7 },
    ];
    expect(parseWordsStream(attributes, body({ text: 'Hello there.', words }))).toEqual({ streamId: 'AUDIO_x1', words });
    // "text" is optional (the words carry what is said); an empty list is no words.
    expect(parseWordsStream(attributes, body({ words: [] }))).toEqual({ streamId: 'AUDIO_x1', words: [] });
  });

  it.each([
    [{}, body({ words: [] }), /no "avatars\.audio_stream_id" attribute/],
    [undefined, body({ words: [] }), /no "avatars\.audio_stream_id" attribute/],
    [attributes, 'not json', /body must be a JSON object/],
    [attributes, '[1]', /body must be a JSON object/],
    [attributes, body({ text: 'hi' }), /needs "words"/],
    [attributes, body({ text: 7, words: [] }), /"text" must be a string/],
    [attributes, body({ words: { word: 'a', start: 0, end: 1 } }), /stream's "words" must be an array/],
    [attributes, body({ words: [{ word: 'a', start: 1, end: 0.5 }] }), /\[0\] ends before it starts/],
    [
      attributes,
      body({
        words: [
          { word: 'a', start: 0, end: 1 },
          { word: 'b', start: 0.5, end: 1 },
        ],
      }),
      /\[1\] starts before/,
    ],
    [attributes, body({ words: [{ word: 'a', start: -1, end: 1 }] }), /\[0\]\.start must be a number/],
  ])('refuses %j %s with a sentence', (attrs, text, message) => {
    const parsed = parseWordsStream(attrs, text);
    expect(parsed).toMatch(message);
    expect(parsed).toMatch(/^The avatars\.words stream/);
  });
});
