/**
 * Emotions a portrait can show (issue 17), shared by the API (preview and session requests) and the rendering
 * container (the agent's `expression` message, LiveKit's `lk.expression` attribute). `neutral` clears them.
 */
export const EMOTIONS = ['neutral', 'happy', 'sad', 'surprised', 'angry', 'thinking'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** An emotion and how strongly it shows, 0..1 (default 1). */
export interface ExpressionRequest {
  name: Emotion;
  intensity?: number;
}

/** Weights of the non-neutral emotions, 0..1 each; several blend while one fades into another. Empty is neutral. */
export type ExpressionWeights = Partial<Record<Exclude<Emotion, 'neutral'>, number>>;

/**
 * Checks an emotion's name and intensity as the agent's `expression` message, a preview's `expression` and LiveKit's
 * `lk.expression` attribute give them; throws a sentence naming the problem. An absent intensity is 1.
 */
export function parseExpression(name: unknown, intensity: unknown = 1): Required<ExpressionRequest> {
  if (typeof name !== 'string' || !(EMOTIONS as readonly string[]).includes(name))
    throw new Error(`"name" must be one of ${EMOTIONS.join(', ')}.`);
  if (typeof intensity !== 'number' || !Number.isFinite(intensity) || intensity < 0 || intensity > 1)
    throw new Error('"intensity" must be a number from 0 to 1.');
  return { name: name as Emotion, intensity };
}

/**
 * `{ name, intensity? }` as a JSON body or field gives it (a live session's starting `expression`, the session's
 * expression route), checked as the agent's message is; a problem's sentence begins with `expression.<field>`.
 */
export function parseExpressionObject(value: unknown): Required<ExpressionRequest> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('expression must be an object with "name" and "intensity".');
  const { name, intensity, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new Error(`expression.${unknown} is not a field: only name and intensity are accepted.`);
  try {
    return parseExpression(name, intensity);
  } catch (error) {
    throw new Error(`expression.${(error as Error).message.replace(/^"(\w+)"/, '$1')}`);
  }
}

/** The weights that hold one emotion at its intensity (neutral, or intensity 0: none). */
export function weightsOf(request: ExpressionRequest): ExpressionWeights {
  const intensity = request.intensity ?? 1;
  return request.name === 'neutral' || intensity === 0 ? {} : { [request.name]: intensity };
}
