import { describe, expect, it } from 'vitest';
import { parseExpressionAttribute } from './expression-attribute.ts';

describe('the lk.expression attribute', () => {
  it.each([
    ['happy', { name: 'happy', intensity: 1 }],
    ['happy:0.8', { name: 'happy', intensity: 0.8 }],
    ['surprised:1', { name: 'surprised', intensity: 1 }],
    ['sad:.5', { name: 'sad', intensity: 0.5 }],
    [' angry : 0.25 ', { name: 'angry', intensity: 0.25 }],
    ['thinking:0', { name: 'thinking', intensity: 0 }],
    ['neutral', { name: 'neutral', intensity: 1 }],
    // LiveKit clears an attribute by emptying it.
    ['', { name: 'neutral', intensity: 1 }],
  ])('reads %j', (value, expected) => {
    expect(parseExpressionAttribute(value)).toEqual(expected);
  });

  it.each([
    ['joyful', /"name" must be one of/],
    ['happy:1.5', /"intensity" must be a number from 0 to 1/],
    ['happy:', /"intensity"/],
    ['happy:0x1', /"intensity"/],
    ['happy:-0.2', /"intensity"/],
    ['happy:0.5:0.5', /"intensity"/],
    ['{"name":"happy"}', /"name" must be one of/],
  ])('answers a sentence for %j', (value, problem) => {
    const answer = parseExpressionAttribute(value);
    expect(typeof answer).toBe('string');
    expect(answer).toMatch(/^The lk\.expression attribute ".*" is not "<name>" or "<name>:<intensity>": its /);
    expect(answer).toMatch(problem);
  });
});
