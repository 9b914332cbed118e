/** The agent's WebSocket protocol (docs/live-sessions.md): message parsing; the close codes are the contract's. */
import { CLOSE } from '../../contract/live-sessions.ts';
import { type ExpressionRequest, parseExpression } from '../../contract/expressions.ts';
import type { FrameOutputOptions } from './frame-output.ts';

export const MAX_MESSAGE_BYTES = 64 * 1024;
export const SAMPLE_RATES = [16000, 24000] as const;

export type AgentMessage =
  | { type: 'start'; sampleRate: number; debug: boolean; output: FrameOutputOptions | null }
  | { type: 'text'; text: string; words: SpokenWord[] }
  | { type: 'interrupt' }
  | { type: 'expression'; expression: Required<ExpressionRequest> }
  | { type: 'end' };

/** A protocol violation: the sentence for the `error` event and the close code. */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses one JSON text message, or throws a ProtocolError naming what is wrong. */
export function parseAgentMessage(text: string): AgentMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(CLOSE.badMessage, 'A text message must be a JSON object.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ProtocolError(CLOSE.badMessage, 'A text message must be a JSON object.');
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'start':
      return parseStart(message);
    case 'text':
      if (typeof message.text !== 'string') throw new ProtocolError(CLOSE.badMessage, 'A "text" message needs a string "text".');
      return { type: 'text', text: message.text, words: parseWords(message.words) };
    case 'expression':
      return parseExpressionMessage(message);
    case 'interrupt':
    case 'end':
      return { type: message.type };
    default:
      throw new ProtocolError(
        CLOSE.badMessage,
        `Unknown message type ${JSON.stringify(message.type)}: expected start, text, expression, interrupt or end.`,
      );
  }
}

/** `{ "type": "expression", "name", "intensity"? }`: the emotion the face shows from now on (`neutral` clears it). */
function parseExpressionMessage(message: Record<string, unknown>): AgentMessage {
  const { type: _, name, intensity, ...rest } = message;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    const sentence = `An "expression" message has an unknown field "${unknown}": only name and intensity are accepted.`;
    throw new ProtocolError(CLOSE.badMessage, sentence);
  }
  try {
    return { type: 'expression', expression: parseExpression(name, intensity) };
  } catch (error) {
    throw new ProtocolError(CLOSE.badMessage, `An "expression" message's ${(error as Error).message}`);
  }
}

/**
 * A word the agent's speech says, timed in seconds from the speech position where its `text` message arrived: 0 is
 * the first sample of the speech sent after that message (docs/live-sessions.md).
 */
export interface SpokenWord {
  word: string;
  start: number;
  end: number;
}

export const MAX_WORDS = 1000;
export const MAX_WORD_CHARS = 64;
/** The most speech one session may queue (maxQueuedSpeechSeconds' top): no word of it can lie further ahead. */
export const MAX_WORD_SECONDS = 600;

/** `words`: absent or `[{ word, start, end }]`, each finite, 0 <= start <= end <= 600, none before the previous one's end. */
export function parseWords(value: unknown): SpokenWord[] {
  if (value === undefined) return [];
  const bad = (why: string) => new ProtocolError(CLOSE.badMessage, `"words" ${why}`);
  if (!Array.isArray(value)) throw bad('must be an array of { "word", "start", "end" }.');
  if (value.length > MAX_WORDS) throw bad(`may hold at most ${MAX_WORDS} words; send the rest in another "text" message.`);
  const words: SpokenWord[] = [];
  for (const [i, item] of value.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw bad(`[${i}] must be an object { "word", "start", "end" }.`);
    const { word, start, end, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw bad(`[${i}] has an unknown field "${unknown}": only word, start and end are accepted.`);
    if (typeof word !== 'string' || word.length === 0 || word.length > MAX_WORD_CHARS)
      throw bad(`[${i}].word must be a string of 1 to ${MAX_WORD_CHARS} characters.`);
    const times = { start, end };
    for (const name of ['start', 'end'] as const) {
      const time = times[name];
      if (typeof time !== 'number' || !Number.isFinite(time) || time < 0 || time > MAX_WORD_SECONDS)
        throw bad(`[${i}].${name} must be a number of seconds from 0 to ${MAX_WORD_SECONDS}.`);
    }
    if ((start as number) > (end as number)) throw bad(`[${i}] ends before it starts.`);
    const previous = words.at(-1);
    if (previous && (start as number) < previous.end) throw bad(`[${i}] starts before the word before it ends: words come in order.`);
    words.push({ word, start: start as number, end: end as number });
  }
  return words;
}

function parseStart(message: Record<string, unknown>): AgentMessage {
  const format = message.format as Record<string, unknown> | undefined;
  if (!format || typeof format !== 'object') throw new ProtocolError(CLOSE.badFormat, 'The "start" message needs a "format" object.');
  if (format.encoding !== 'pcm16')
    throw new ProtocolError(CLOSE.badFormat, 'Only "pcm16" (signed 16-bit little-endian) speech is accepted.');
  if (format.channels !== 1) throw new ProtocolError(CLOSE.badFormat, 'Speech must be mono ("channels": 1).');
  if (!SAMPLE_RATES.includes(format.sampleRate as 16000))
    throw new ProtocolError(CLOSE.badFormat, 'The sample rate must be 16000 or 24000.');
  if (message.debug !== undefined && typeof message.debug !== 'boolean')
    throw new ProtocolError(CLOSE.badMessage, '"debug" must be true or false.');
  return { type: 'start', sampleRate: format.sampleRate as number, debug: message.debug === true, output: parseOutput(message.output) };
}

/** `output`: the session's frames (and audio) back on this socket; absent for an agent that only speaks. */
function parseOutput(value: unknown): FrameOutputOptions | null {
  if (value === undefined) return null;
  const bad = (why: string) => new ProtocolError(CLOSE.badMessage, `"output" ${why}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object: { "video": "jpeg" | "i420" }.');
  const { video, jpegQuality = 80, audio = true, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw bad(`has an unknown field "${unknown}": only video, jpegQuality and audio are accepted.`);
  if (video !== 'jpeg' && video !== 'i420') throw bad('needs "video": "jpeg" or "i420".');
  if (typeof jpegQuality !== 'number' || !Number.isInteger(jpegQuality) || jpegQuality < 1 || jpegQuality > 100)
    throw bad('"jpegQuality" must be a whole number from 1 to 100.');
  if (typeof audio !== 'boolean') throw bad('"audio" must be true or false.');
  return { video, jpegQuality, audio };
}
