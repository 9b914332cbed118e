/**
 * The agent's timed words on LiveKit (docs/livekit.md, "The agent's words"): per speech segment, a text stream on
 * WORDS_TOPIC whose body is `{ "text", "words": [{ "word", "start", "end" }] }`, times in seconds from the first
 * sample of the segment's audio, and whose attribute WORDS_SEGMENT_ATTRIBUTE names that segment's `lk.audio_stream`
 * byte stream (its stream id). Words are checked as the speech socket's `text` message's are (parseWords).
 */
import { parseWords, ProtocolError, type SpokenWord } from '../live/speech-protocol.ts';

export const WORDS_TOPIC = 'avatars.words';
export const WORDS_SEGMENT_ATTRIBUTE = 'avatars.audio_stream_id';
/** 1000 words of 64 characters with their times fit in well under this; more is not a words message. */
export const MAX_WORDS_CHARS = 128 * 1024;

export interface SegmentWords {
  /** The id of the `lk.audio_stream` byte stream whose audio the words' times count from. */
  streamId: string;
  words: SpokenWord[];
}

/** One words stream's attributes and body, or a sentence saying why the avatar cannot use it. */
export function parseWordsStream(attributes: Record<string, string> | undefined, body: string): SegmentWords | string {
  const streamId = attributes?.[WORDS_SEGMENT_ATTRIBUTE];
  if (!streamId) return `The ${WORDS_TOPIC} stream has no "${WORDS_SEGMENT_ATTRIBUTE}" attribute naming its audio stream.`;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return `The ${WORDS_TOPIC} stream's body must be a JSON object { "text", "words" }.`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return `The ${WORDS_TOPIC} stream's body must be a JSON object { "text", "words" }.`;
  const { text, words } = value as Record<string, unknown>;
  if (text !== undefined && typeof text !== 'string') return `The ${WORDS_TOPIC} stream's "text" must be a string.`;
  if (words === undefined) return `The ${WORDS_TOPIC} stream needs "words": [{ "word", "start", "end" }].`;
  try {
    return { streamId, words: parseWords(words) };
  } catch (error) {
    if (error instanceof ProtocolError) return `The ${WORDS_TOPIC} stream's ${error.message}`;
    throw error;
  }
}
