import { type ExpressionRequest, parseExpression } from '../../contract/expressions.ts';
import { VIDEO_ID_PATTERN, VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { HttpError } from '../http-basics.ts';

/** A checked RenderVideoRequest (contract/videos.ts), the speech decoded. */
export interface VideoRequest {
  jobId: string;
  /** Mono s16le at VIDEO_SAMPLE_RATE. */
  pcm: Uint8Array;
  expression: ExpressionRequest | null;
  seed: number | null;
}

const FIELDS = new Set(['jobId', 'pcmBase64', 'expression', 'seed']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The largest body a request for `maxSeconds` of speech can have: the PCM in base64 and room for the rest. */
export function maxVideoBodyBytes(maxSeconds: number): number {
  return Math.ceil((maxSeconds * VIDEO_SAMPLE_RATE * 2 * 4) / 3) + 64 * 1024;
}

/** Reads a RenderVideoRequest, or throws a 400 naming the problem. */
export function parseVideoRequest(text: string, maxSeconds: number): VideoRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw validation('The request body must be a JSON object.');
  const given = body as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!FIELDS.has(key)) throw validation(`Unknown field "${key}": only ${[...FIELDS].join(', ')} are accepted.`);
  }
  if (typeof given.jobId !== 'string' || !VIDEO_ID_PATTERN.test(given.jobId)) {
    throw validation('jobId must be the API\'s video id: "vid_" and 20 letters or digits.');
  }
  return {
    jobId: given.jobId,
    pcm: parsePcm(given.pcmBase64, maxSeconds),
    expression: given.expression === undefined || given.expression === null ? null : parseVideoExpression(given.expression),
    seed: parseSeed(given.seed),
  };
}

function parsePcm(value: unknown, maxSeconds: number): Uint8Array {
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(`pcmBase64 must be the speech as base64 of mono 16-bit little-endian PCM at ${VIDEO_SAMPLE_RATE} Hz.`);
  }
  if (value.length % 4 !== 0 || !BASE64.test(value)) throw validation('pcmBase64 is not valid base64.');
  const pcm = Buffer.from(value, 'base64');
  if (pcm.length % 2 !== 0) throw validation('pcmBase64 must hold whole 16-bit samples (an even number of bytes).');
  if (pcm.length === 0) throw validation('pcmBase64 holds no samples.');
  const seconds = pcm.length / 2 / VIDEO_SAMPLE_RATE;
  if (seconds > maxSeconds) {
    throw validation(`The speech lasts ${seconds.toFixed(1)} s; this renderer takes at most ${maxSeconds} s.`);
  }
  return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.length);
}

function parseVideoExpression(value: unknown): ExpressionRequest {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw validation('expression must be an object: { "name", "intensity"? }.');
  }
  const { name, intensity, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw validation(`expression has an unknown field "${unknown}": only name and intensity are accepted.`);
  try {
    return parseExpression(name, intensity);
  } catch (error) {
    throw validation(`expression's ${(error as Error).message}`);
  }
}

function parseSeed(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw validation('seed must be an integer from 0 to 4294967295.');
  }
  return value;
}

function validation(message: string): HttpError {
  return new HttpError(400, 'validation-failed', message);
}
