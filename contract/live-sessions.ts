import { type ExpressionRequest, parseExpressionObject } from './expressions.ts';

/**
 * Live sessions between the API and the rendering container (docs/live-sessions.md): the body of
 * POST /sessions (the API builds it; the renderer checks it with parseSessionRequest), its answer, the limit
 * on a WHEP offer and the close codes of the agent's speech socket (both sides close with them).
 */

/** How the session's media reaches people: WHEP viewers (and the agent's speech socket), or a LiveKit room. */
export type Transport = 'whep' | 'livekit';
export const TRANSPORTS: readonly Transport[] = ['whep', 'livekit'];

/** Where a LiveKit session's avatar joins: the room's server and the room token the agent's plugin minted for it. */
export interface LiveKitJoin {
  /** ws://, wss://, http:// or https:// URL of the LiveKit server. */
  url: string;
  /** A LiveKit access token (JWT) for the avatar's participant. */
  token: string;
}

/** The body of POST /sessions. */
export interface SessionRequest {
  sessionId: string;
  /** The agent's token: speaks on the speech socket (and may also watch). */
  token: string;
  /** The viewers' token: watches over WHEP, never speaks. */
  viewerToken: string;
  maxSessionSeconds: number;
  maxIdleSeconds: number;
  /** Speech queued ahead of playout past this closes the agent's socket (4009). */
  maxQueuedSpeechSeconds: number;
  /** How long the session waits for an agent whose connection dropped to come back before it ends (`agent-left`). */
  reconnectGraceSeconds: number;
  /** Given for a LiveKit session: the renderer joins this room before it answers. */
  livekit?: LiveKitJoin;
  /** The emotion the face shows from the first frame, held until the agent sets another (default neutral). */
  expression?: Required<ExpressionRequest>;
}

export const SESSION_DEFAULTS = {
  maxSessionSeconds: 1800,
  maxIdleSeconds: 60,
  maxQueuedSpeechSeconds: 30,
  reconnectGraceSeconds: 15,
} as const;

const FIELDS = [
  'sessionId',
  'token',
  'viewerToken',
  'maxSessionSeconds',
  'maxIdleSeconds',
  'maxQueuedSpeechSeconds',
  'reconnectGraceSeconds',
  'livekit',
  'expression',
];

/** Throws a sentence naming the first problem. */
export function parseSessionRequest(body: unknown): SessionRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('The request body must be a JSON object.');
  const given = body as Record<string, unknown>;
  for (const key of Object.keys(given))
    if (!FIELDS.includes(key)) throw new Error(`Unknown field "${key}": only ${FIELDS.join(', ')} are accepted.`);
  const { sessionId } = given;
  if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(sessionId)) {
    throw new Error('sessionId must be 1-64 characters of letters, digits, "_" or "-".');
  }
  const token = sessionToken(given.token, 'token');
  const viewerToken = sessionToken(given.viewerToken, 'viewerToken');
  if (viewerToken === token) throw new Error('viewerToken must differ from token: only the agent token may speak.');
  return {
    sessionId,
    token,
    viewerToken,
    maxSessionSeconds: seconds(given.maxSessionSeconds, 'maxSessionSeconds', SESSION_DEFAULTS.maxSessionSeconds, 86_400),
    maxIdleSeconds: seconds(given.maxIdleSeconds, 'maxIdleSeconds', SESSION_DEFAULTS.maxIdleSeconds, 3600),
    maxQueuedSpeechSeconds: seconds(given.maxQueuedSpeechSeconds, 'maxQueuedSpeechSeconds', SESSION_DEFAULTS.maxQueuedSpeechSeconds, 600),
    reconnectGraceSeconds: seconds(given.reconnectGraceSeconds, 'reconnectGraceSeconds', SESSION_DEFAULTS.reconnectGraceSeconds, 600),
    ...(given.livekit === undefined ? {} : { livekit: livekitOf(given.livekit) }),
    ...(given.expression === undefined ? {} : { expression: parseExpressionObject(given.expression) }),
  };
}

function livekitOf(value: unknown): LiveKitJoin {
  try {
    return parseLiveKitJoin(value);
  } catch (error) {
    if (error instanceof LiveKitJoinProblem && error.field !== 'livekit') throw new Error(`livekit.${error.message}`);
    throw error;
  }
}

/** The largest LiveKit token taken: real ones are well under 2 KB, attributes and all. */
export const MAX_LIVEKIT_TOKEN_BYTES = 8192;

/** A problem with `{ url, token }`: the field (`url`, `token`, or another name given) and what is wrong with it. */
export class LiveKitJoinProblem extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** Checks `{ url, token }` (both sides use it, so the API's 400 and the renderer's agree). */
export function parseLiveKitJoin(value: unknown): LiveKitJoin {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new LiveKitJoinProblem('livekit', 'must be an object with "url" and "token".');
  const { url, token, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new LiveKitJoinProblem(unknown, 'is not a field: only url and token are accepted.');
  let parsed: URL | null = null;
  try {
    parsed = typeof url === 'string' ? new URL(url) : null;
  } catch {}
  if (!parsed || !['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol) || (url as string).length > 2048) {
    throw new LiveKitJoinProblem('url', "must be the LiveKit server's ws://, wss://, http:// or https:// URL.");
  }
  if (typeof token !== 'string' || token.length > MAX_LIVEKIT_TOKEN_BYTES || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    throw new LiveKitJoinProblem('token', `must be a LiveKit access token (a JWT of at most ${MAX_LIVEKIT_TOKEN_BYTES} characters).`);
  }
  return { url: url as string, token };
}

function sessionToken(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length < 16 || value.length > 512 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new Error(`${name} must be 16-512 printable ASCII characters without spaces.`);
  }
  return value;
}

function seconds(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > max)
    throw new Error(`${name} must be a number of seconds from 1 to ${max}.`);
  return value;
}

/** The answer to POST /sessions (201). Paths are the renderer's own; the API serves them under /api/v1. */
export interface CreatedSession {
  sessionId: string;
  speechPath: string;
  whepPath: string;
  /** A LiveKit session's avatar participant, once it has joined the room. */
  participantIdentity?: string;
}

/**
 * Why a session ended. `agent-left`: the agent's connection (its speech socket, or its participant in the LiveKit
 * room) dropped and did not come back within `reconnectGraceSeconds`; `room-closed`: the room closed or the avatar was
 * disconnected from it; `renderer-failed`: the container that held it crashed; `renderer-gone`: the container that
 * held it stopped or lost it. The last two are the API's words: the container itself never says them.
 */
export type SessionEndReason =
  | 'end'
  | 'deleted'
  | 'max-session'
  | 'idle'
  | 'shutdown'
  | 'agent-left'
  | 'room-closed'
  | 'renderer-failed'
  | 'renderer-gone'
  | 'expired';

/** Live figures of a session: the speech socket's `metrics` event (without its type) and GET /sessions/:id. */
export interface SessionMetricsSnapshot {
  /** From the viewer's WHEP offer to the first frame sent once its connection was up; null before any viewer. */
  timeToFirstFrameMs: number | null;
  /** Frames drawn per second since the last metrics event. */
  fps: number;
  /** Speech sample received -> the frame showing its mouth handed to the video track, over the session. */
  latencyMs: { p50: number; p95: number } | null;
  /** Mean of (frame time - playout time of the speech its mouth shows) since the last metrics event; null if no speech. */
  driftMs: number | null;
  /** Largest |drift| since the last metrics event. */
  maxDriftMs: number | null;
  framesDrawn: number;
  framesSkipped: number;
  /** Frames the agent's socket output dropped because its consumer read too slowly (frames over the socket). */
  framesDropped: number;
  /** Audio the socket output dropped likewise, past its hard cap. */
  audioDroppedMs: number;
  viewers: number;
  speechSeconds: number;
  queuedMs: number;
}

/** GET /sessions/:id: a session the renderer holds, or one it ended lately (it remembers the last ENDED_KEPT). */
export type SessionStatus =
  | { sessionId: string; transport: Transport; state: 'active'; metrics: SessionMetricsSnapshot }
  | {
      sessionId: string;
      transport: Transport;
      state: 'ended';
      endReason: SessionEndReason;
      endedAt: string;
      metrics: SessionMetricsSnapshot;
    };

/** How many ended sessions a renderer remembers for GET /sessions/:id. */
export const ENDED_KEPT = 1000;

/** The renderer's 502 when the LiveKit server could not be reached, and its 400 when it refused the token. */
export const LIVEKIT_ERRORS = { unreachable: 'livekit-unreachable', refused: 'livekit-refused' } as const;

/** The largest WHEP offer taken, by the renderer and by the API's WHEP route (its 413 names it). */
export const MAX_OFFER_BYTES = 64 * 1024;

/** Close codes of the agent's speech WebSocket. */
export const CLOSE = {
  normal: 1000,
  /** The API's link to the container dropped while the session lives on (the API's proxy only): connect again. */
  reconnect: 1012,
  /** The container is not running (the API's proxy only). */
  tryAgainLater: 1013,
  badToken: 4001,
  badFormat: 4002,
  badMessage: 4003,
  /** The session's viewer token: it watches over WHEP and never speaks. */
  viewerToken: 4004,
  /** A LiveKit session: its speech comes through the room (lk.audio_stream), not this socket. */
  livekitSession: 4005,
  /** A newer connection with the agent token took the session over. */
  replaced: 4008,
  /** More speech queued than the session's maxQueuedSpeechSeconds. */
  speechOverflow: 4009,
} as const;
