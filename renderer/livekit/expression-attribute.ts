import { type ExpressionRequest, parseExpression } from '../../contract/expressions.ts';
import { LIVEKIT_AVATAR } from '../../contract/livekit-avatar.ts';

/**
 * Reads the agent's `lk.expression` attribute (`happy`, `happy:0.8`; empty is neutral, as LiveKit clears an attribute
 * by emptying it). Returns the emotion, or a sentence naming what is wrong.
 */
export function parseExpressionAttribute(value: string): Required<ExpressionRequest> | string {
  const at = value.indexOf(':');
  const name = (at < 0 ? value : value.slice(0, at)).trim() || 'neutral';
  const given = at < 0 ? undefined : value.slice(at + 1).trim();
  // Number('') is 0 and Number('0x1') is 1: only plain decimals count as an intensity.
  const intensity = given === undefined ? 1 : /^\d*\.?\d+$/.test(given) ? Number(given) : given;
  try {
    return parseExpression(name, intensity);
  } catch (error) {
    return `The ${LIVEKIT_AVATAR.expressionAttribute} attribute ${JSON.stringify(value.slice(0, 64))} is not "<name>" or "<name>:<intensity>": its ${(error as Error).message}`;
  }
}
