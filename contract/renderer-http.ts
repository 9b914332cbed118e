import type { ExpressionRequest } from './expressions.ts';

/**
 * The rendering container's HTTP routes (docs/renderer.md; the live-session routes in docs/live-sessions.md and
 * contract/live-sessions.ts). Every route but health and the session-token routes (WHEP, speech, expression) needs
 * `Authorization: Bearer <RENDERER_SECRET>`.
 */
export const RENDERER_PATHS = {
  /** GET: 200 `{ status: "ok" }` once the portrait is loaded, 503 `{ status: "loading" }` before. */
  health: '/health',
  /** GET: RendererInfo. */
  info: '/info',
  /** POST PreviewRequest (JSON, may be empty): 200 with a video/mp4 clip. */
  preview: '/preview',
  /** POST SessionRequest: 201 CreatedSession; 429 when the container runs MAX_SESSIONS already. */
  sessions: '/sessions',
  /** GET: SessionStatus; DELETE: ends the session (204). */
  session: (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`,
  /** WebSocket, `?token=<agent token>`: the agent's speech. */
  speech: (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/speech`,
  /** POST an SDP offer with a session token: 201 with the SDP answer and a Location (whepViewer). */
  whep: (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/whep`,
  /**
   * POST `{ name, intensity? }` with the agent token (Bearer): the face shows it, as the agent's `expression` message
   * does (204); the viewer token is 403.
   */
  expression: (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/expression`,
  /** DELETE: ends one viewer (204). */
  whepViewer: (sessionId: string, viewerId: string) => `/sessions/${encodeURIComponent(sessionId)}/whep/${encodeURIComponent(viewerId)}`,
} as const;

export interface HealthAnswer {
  status: 'ok' | 'loading';
}

export interface RendererInfo {
  avatarId: string;
  resolution: string;
  frameRate: number;
  idleMotion: boolean;
  seed: number;
  engine: string;
  uptimeSeconds: number;
  version: string;
}

/** The body of POST /preview; every field is optional. */
export interface PreviewRequest {
  /** PREVIEW_SECONDS.min to .max; default PREVIEW_SECONDS.default. */
  durationSeconds?: number;
  /** 0 to 4294967295: another idle motion than the container's own seed. */
  seed?: number;
  /** The emotion the face shows throughout the clip (default neutral). */
  expression?: ExpressionRequest;
}

export const PREVIEW_SECONDS = { default: 3, min: 0.5, max: 10 } as const;

/** Every error the renderer answers. */
export interface RendererError {
  error: string;
  code: string;
  /** With code MISSING_PART (contract/rendering-parts.ts): which part is missing and how to install it. */
  reason?: string;
}
