import { expect } from 'vitest';
import type { ApiAnswer } from './test-server.ts';

/** The design's error shape: `{ error: <sentence>, code, details?, reason? }`, the given status, nothing else. */
export function expectError(answer: ApiAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
  expect(typeof answer.body.error).toBe('string');
  expect(answer.body.error).toMatch(/^[A-Z"].*[.?]$/);
  expect(Object.keys(answer.body).every((k) => ['error', 'code', 'details', 'reason'].includes(k))).toBe(true);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.ts:\d+|node_modules|stack/);
}
