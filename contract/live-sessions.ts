/**
 * Live sessions between the API and the rendering container (docs/live-sessions.md): the body of
 * POST /sessions (the API builds it; the renderer checks it with parseSessionRequest), its answer, the limit
 * on a WHEP offer and the close codes of the agent's speech socket (both sides close with them).
 */

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
}

export const SESSION_DEFAULTS = { maxSessionSeconds: 1800, maxIdleSeconds: 60, maxQueuedSpeechSeconds: 30 } as const;

const FIELDS = ['sessionId', 'token', 'viewerToken', 'maxSessionSeconds', 'maxIdleSeconds', 'maxQueuedSpeechSeconds'];

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
  };
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
}

/** The largest WHEP offer taken, by the renderer and by the API's WHEP route (its 413 names it). */
export const MAX_OFFER_BYTES = 64 * 1024;

/** Close codes of the agent's speech WebSocket. */
export const CLOSE = {
  normal: 1000,
  /** The container is not running (the API's proxy only). */
  tryAgainLater: 1013,
  badToken: 4001,
  badFormat: 4002,
  badMessage: 4003,
  /** The session's viewer token: it watches over WHEP and never speaks. */
  viewerToken: 4004,
  /** A newer connection with the agent token took the session over. */
  replaced: 4008,
  /** More speech queued than the session's maxQueuedSpeechSeconds. */
  speechOverflow: 4009,
} as const;
