import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../contract/live-sessions.ts';
import { parseAgentMessage, ProtocolError } from './speech-protocol.ts';

const parse = (message: unknown) => parseAgentMessage(JSON.stringify(message));

describe('the agent\'s "expression" message', () => {
  it('takes each emotion, with an intensity from 0 to 1 that defaults to 1', () => {
    expect(parse({ type: 'expression', name: 'happy', intensity: 0.8 })).toEqual({
      type: 'expression',
      expression: { name: 'happy', intensity: 0.8 },
    });
    for (const name of ['neutral', 'happy', 'sad', 'surprised', 'angry', 'thinking']) {
      expect(parse({ type: 'expression', name })).toEqual({ type: 'expression', expression: { name, intensity: 1 } });
    }
    expect(parse({ type: 'expression', name: 'sad', intensity: 0 })).toMatchObject({ expression: { intensity: 0 } });
  });

  it.each([
    [{ type: 'expression' }, /"name" must be one of neutral, happy, sad, surprised, angry, thinking/],
    [{ type: 'expression', name: 'joyful' }, /"name" must be one of/],
    [{ type: 'expression', name: 'Happy' }, /"name" must be one of/],
    [{ type: 'expression', name: 3 }, /"name" must be one of/],
    [{ type: 'expression', name: 'happy', intensity: 1.01 }, /"intensity" must be a number from 0 to 1/],
    [{ type: 'expression', name: 'happy', intensity: -0.5 }, /"intensity" must be a number from 0 to 1/],
    [{ type: 'expression', name: 'happy', intensity: '0.5' }, /"intensity" must be a number from 0 to 1/],
    [{ type: 'expression', name: 'happy', intensity: null }, /"intensity" must be a number from 0 to 1/],
    [{ type: 'expression', name: 'happy', weight: 0.5 }, /unknown field "weight"/],
  ])('refuses %j with 4003 and a sentence', (message, sentence) => {
    const refusal = expect.objectContaining({ code: CLOSE.badMessage, message: expect.stringMatching(sentence) });
    expect(() => parse(message)).toThrow(refusal);
    expect(() => parse(message)).toThrow(ProtocolError);
    expect(() => parse(message)).toThrow(/^An "expression" message/);
  });
});
