import { SourceRejected } from '../source-rejected.ts';
import { checkJsonValueCount, MAX_JSON_VALUES } from './gltf-limits.ts';

/**
 * Deeper nesting than any glTF or VRM needs. It is checked before the Khronos validator sees the bytes: the validator
 * walks JSON recursively and a few thousand levels overflow its stack with an exception thrown outside its promise,
 * which would take the whole process down.
 */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses the GLB's JSON chunk into the glTF object, or says in a sentence why it cannot. */
export function parseGltfJson(chunk: Buffer): Record<string, unknown> {
  const { depth, values } = scanJsonShape(chunk);
  if (depth > MAX_JSON_DEPTH) {
    throw new SourceRejected(
      `The model's JSON nests more than ${MAX_JSON_DEPTH} levels deep; no glTF model needs that, so the file is refused.`,
    );
  }
  checkJsonValueCount(values);
  let text: string;
  try {
    text = utf8.decode(chunk);
  } catch {
    throw new SourceRejected("The model's JSON chunk is not valid UTF-8 text.");
  }
  // The spec pads the chunk with spaces; some exporters pad with NUL bytes, which JSON.parse would refuse.
  text = text.slice(0, paddedEnd(text));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'unreadable';
    throw new SourceRejected(`The model's JSON chunk is not valid JSON (${reason}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SourceRejected(`The model's JSON chunk holds ${describeJsonType(value)} where a glTF object was expected.`);
  }
  return value as Record<string, unknown>;
}

/** Names a JSON value's type for a sentence: "an array", "a string", "null". */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'undefined') return 'nothing';
  return `a ${typeof value}`;
}

/** Index just past the last character that is not padding (space, tab, CR, LF or NUL). */
function paddedEnd(text: string): number {
  let end = text.length;
  while (end > 0) {
    const code = text.charCodeAt(end - 1);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x00) break;
    end -= 1;
  }
  return end;
}

/**
 * Deepest bracket nesting and a count of values (commas and colons, plus one per container) outside strings, scanning
 * bytes once; stops once past either limit.
 */
function scanJsonShape(bytes: Buffer): { depth: number; values: number } {
  let depth = 0;
  let max = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c)
        i += 1; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x2c || byte === 0x3a) {
      values += 1;
      if (values > MAX_JSON_VALUES) break;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      values += 1;
      if (depth > max) {
        max = depth;
        if (max > MAX_JSON_DEPTH) break;
      }
    } else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
    }
  }
  return { depth: max, values };
}
