import { type APIConnectOptions, DEFAULT_API_CONNECT_OPTIONS, intervalForRetry } from '@livekit/agents';
import { type AvatarsErrorDetail, AvatarsError } from './errors.js';
import { logger } from './log.js';

/**
 * Starting a session answers once the avatar has joined the room, and an on-demand avatar is deployed first
 * (the server waits up to its SESSION_START_TIMEOUT_MS, 60 s by default): tens of seconds are normal.
 */
export const DEFAULT_START_TIMEOUT_MS = 120_000;

/** The API's answer to starting a LiveKit session. */
export interface LiveKitSession {
  /** The Avatars session, `ses_...`. */
  sessionId: string;
  /** The avatar's identity in the room (the one of its token). */
  participantIdentity: string;
  /** When the session ends at the latest (ISO 8601). */
  expiresAt: string | null;
  /** The whole answer (it also has the session's WHEP `viewerToken` and `whepUrl`, to watch it outside LiveKit). */
  raw: Record<string, unknown>;
}

export interface AvatarsAPIOptions {
  /** Where the Avatars API is, e.g. `https://avatars.example.com` (its routes are under `/api/v1`). */
  apiUrl: string;
  /** An API key with the `avatars:write` scope. */
  apiKey: string;
  /**
   * `maxRetry` and `retryIntervalMs`: retries of a connection that failed or a 5xx answer (never of a 4xx);
   * `timeoutMs`: how long reading or ending a session may take (starting one has its own, longer, timeout).
   */
  connOptions?: Partial<APIConnectOptions>;
}

/** The few calls of the Avatars REST API (`X-API-Key` authentication) that a LiveKit agent needs. */
export class AvatarsAPI {
  readonly apiUrl: string;
  readonly #apiKey: string;
  readonly #connOptions: APIConnectOptions;

  constructor(options: AvatarsAPIOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#connOptions = { ...DEFAULT_API_CONNECT_OPTIONS, ...options.connOptions };
  }

  /** Has the avatar join the LiveKit room that `livekitToken` opens; answers once it is in the room. */
  async createLiveKitSession(
    avatarId: string,
    options: { livekitUrl: string; livekitToken: string; timeoutMs?: number },
  ): Promise<LiveKitSession> {
    const { status, body } = await this.#request('POST', `/api/v1/avatars/${encodeURIComponent(avatarId)}/sessions`, {
      body: { transport: 'livekit', livekit: { url: options.livekitUrl, token: options.livekitToken } },
      timeoutMs: options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    });
    const answer = isRecord(body) ? body : {};
    const { sessionId, participantIdentity, expiresAt } = answer;
    if (typeof sessionId !== 'string' || !sessionId || typeof participantIdentity !== 'string') {
      throw new AvatarsError('The Avatars API answered without a sessionId and participantIdentity.', {
        status,
        code: 'invalid-response',
        body,
      });
    }
    return { sessionId, participantIdentity, expiresAt: typeof expiresAt === 'string' ? expiresAt : null, raw: answer };
  }

  /** The session as `GET /api/v1/sessions/:id` answers it: `state`, `transport`, `endReason`, live `metrics`... */
  async getSession(sessionId: string): Promise<Record<string, unknown>> {
    const { status, body } = await this.#request('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}`);
    if (!isRecord(body)) throw new AvatarsError('The Avatars API answered without a session.', { status, code: 'invalid-response', body });
    return body;
  }

  /** Ends the session: the avatar leaves the room. */
  async endSession(sessionId: string): Promise<void> {
    await this.#request('DELETE', `/api/v1/sessions/${encodeURIComponent(sessionId)}`);
  }

  /** The status and JSON body (null when empty) of a 2xx answer, after the retries allowed; an AvatarsError otherwise. */
  async #request(
    method: string,
    path: string,
    call: { body?: unknown; timeoutMs?: number } = {},
  ): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(method, path, call.body, call.timeoutMs ?? this.#connOptions.timeoutMs);
      } catch (error) {
        if (!(error instanceof AvatarsError) || !error.retryable || attempt >= this.#connOptions.maxRetry) throw error;
        const waitMs = intervalForRetry(this.#connOptions, attempt);
        logger()?.warn(
          { method, path, status: error.status, code: error.code, error: error.message, waitMs },
          'Avatars API call failed, retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  async #once(method: string, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: unknown }> {
    const url = this.apiUrl + path;
    const headers: Record<string, string> = { 'X-API-Key': this.#apiKey, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // One deadline for the whole exchange, the body's reading included.
    const signal = AbortSignal.timeout(timeoutMs);
    let status: number;
    let statusText: string;
    let text: string;
    try {
      const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
      status = response.status;
      statusText = response.statusText;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) {
        // Not retried: the request may have reached the server, which may still be starting the session.
        throw new AvatarsError(`The Avatars API did not answer ${method} ${url} within ${timeoutMs / 1000} s.`, {
          status: null,
          code: 'timeout',
        });
      }
      throw new AvatarsError(`Could not reach the Avatars API at ${url}: ${networkCause(error)}.`, {
        status: null,
        code: 'connection-failed',
      });
    }
    if (status >= 400) throw errorFromAnswer(status, statusText, text);
    if (!text) return { status, body: null };
    try {
      return { status, body: JSON.parse(text) };
    } catch {
      throw new AvatarsError(`The Avatars API answered ${status} with a body that is not JSON.`, {
        status,
        code: 'invalid-response',
        body: text,
      });
    }
  }
}

/** The API's error (`{ error, code, details?, reason? }`), or what can be said of an answer that is not one. */
function errorFromAnswer(status: number, statusText: string, text: string): AvatarsError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: handled below
  }
  if (isRecord(body) && typeof body.error === 'string') {
    return new AvatarsError(body.error, {
      status,
      code: typeof body.code === 'string' ? body.code : `http-${status}`,
      ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
      ...(Array.isArray(body.details) ? { details: body.details as AvatarsErrorDetail[] } : {}),
      body,
    });
  }
  // A proxy in front of the API, or something else listening at that address: say what came back.
  const snippet = text.trim().slice(0, 200);
  return new AvatarsError(`The Avatars API answered ${status} ${statusText}`.trimEnd() + (snippet ? `: ${snippet}` : '.'), {
    status,
    code: `http-${status}`,
    body: text || null,
  });
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a reset...) is in its cause. */
function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
