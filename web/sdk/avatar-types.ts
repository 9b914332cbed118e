import type { Avatar, RenderConfig } from '../api/avatars-client.ts';

/**
 * An avatar object as GET /api/v1/avatars/:id answers it (the API's type, generated from its OpenAPI document). Only
 * `tier` is required: a page may build one itself, and may leave out fields the view does not read.
 */
export type AvatarObject = Partial<Omit<Avatar, 'tier' | 'config'>> & {
  tier: Avatar['tier'];
  config?: Partial<AvatarRenderConfig>;
  /** Not in the API's avatar object: a client may set it (e.g. from POST /preview) to skip that call. */
  previewUrl?: string | null;
  [field: string]: unknown;
};

/** resolution "WIDTHxHEIGHT" of the canvas' drawing buffer, frameRate the render loop's cap, idleMotion false: still. */
export type AvatarRenderConfig = RenderConfig;

export type IdleMode = 'natural' | 'still';

/** The emotions a VRM shows (its expression presets). */
export const EMOTIONS = ['happy', 'angry', 'sad', 'relaxed', 'surprised'] as const;
export type Emotion = (typeof EMOTIONS)[number];
/** The emotions a portrait's live session shows (the rendering container's, contract/expressions.ts), neutral included. */
export { EMOTIONS as PORTRAIT_EMOTIONS, type Emotion as PortraitEmotion } from '../../contract/expressions.ts';
/** What setExpression takes: a VRM's emotions, a portrait's, or 'neutral' (none). */
export type ExpressionName = Emotion | 'neutral' | 'thinking';

export const VISEME_NAMES = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;
export type VisemeName = (typeof VISEME_NAMES)[number];

export interface AvatarViewOptions {
  /** Base URL of the Avatars server, e.g. "https://avatars.example.com" (used when loading by id). */
  apiBase?: string;
  /** A secret key, sent as X-API-Key. */
  apiKey?: string;
  /** A session token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Clear to transparent instead of `background`. */
  transparent?: boolean;
  /** CSS colour behind the avatar when not transparent (default #e2e8f0). */
  background?: string;
  idle?: IdleMode;
  /** Overrides the avatar's config (e.g. a higher frameRate for a benchmark). */
  config?: Partial<AvatarRenderConfig>;
  /** fetch to use (tests, proxies); default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** PCM speech: chunks of mono samples (-1..1 floats or 16-bit integers), as an array or as they arrive. */
export interface PcmSpeech {
  pcm: Iterable<Float32Array | Int16Array> | AsyncIterable<Float32Array | Int16Array>;
  sampleRate: number;
}

export type SpeechSource = HTMLMediaElement | MediaStream | PcmSpeech;

/** What the view shows right now; for tests and debugging. */
export interface AvatarDebugState {
  kind: 'none' | 'vrm' | 'orb' | 'video';
  loaded: boolean;
  speaking: boolean;
  idle: IdleMode;
  /** Frames drawn since load. */
  frames: number;
  /** Values set on the model's expressions this frame (before VRM overrides), by expression name. */
  expressions: Record<string, number>;
  /** The lip-sync input this frame: viseme weights and mouth openness from the analyzer. */
  visemes: Record<VisemeName, number>;
  open: number;
  viseme: VisemeName | 'closed';
  /** Which model expression each viseme is shown with ('' when the model can show none). */
  visemeMap: Record<VisemeName, string>;
  canvas: { width: number; height: number };
  /** Orb style only: the sphere's scale (1 at rest) and emissive intensity. */
  orb?: { scale: number; emissive: number };
  /** ms from load() to loaded, and to the first frame drawn. */
  timings: { loadMs: number; firstFrameMs: number };
}
