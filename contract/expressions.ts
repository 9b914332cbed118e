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
