import http from 'node:http';
import type { Duplex } from 'node:stream';
import { type CreatedSession, LIVEKIT_ERRORS, type SessionRequest, type SessionStatus } from '../../contract/live-sessions.ts';
import { RENDERER_PATHS, type PreviewRequest, type RendererError } from '../../contract/renderer-http.ts';
import type { ExpressionRequest } from '../../contract/expressions.ts';
import { MISSING_PART } from '../../contract/rendering-parts.ts';
import { RENDERER_VIDEO_PATHS, type RenderVideoRequest, type RenderVideoStatus } from '../../contract/videos.ts';
import { RendererRefused, RendererUnavailable } from './renderer-errors.ts';
import { joinSpeechSockets, type UpstreamLostAnswer } from './speech-pipe.ts';

const HEALTH_TIMEOUT_MS = 1000;
const SESSION_TIMEOUT_MS = 10_000;
/** A LiveKit session's start includes joining the room, which the renderer gives up on after 10 s. */
const LIVEKIT_SESSION_TIMEOUT_MS = 20_000;
const WHEP_TIMEOUT_MS = 15_000;
/** A video call carries up to minutes of speech (base64) one way, or the finished MP4 the other. */
const VIDEO_CALL_TIMEOUT_MS = 20_000;
const SDP = 'application/sdp';

/** A renderer's answer passed on to the API's caller as it is (WHEP). */
export interface RelayedAnswer {
  status: number;
  contentType: string;
  /** Undefined for a 204. */
  body: string | undefined;
  /** The renderer's own path (RENDERER_PATHS.whepViewer), or null. */
  location: string | null;
}

/** What happened to a call, for the one error mapping: `what` names the call in a sentence ("the preview"). */
interface Call {
  what: string;
  timeoutMs: number;
  /** The setting that holds the timeout, named in the sentence when it is the user's to change. */
  setting?: string;
}

/**
 * The API's only way to talk to a rendering container (contract/renderer-http.ts): health, preview, live
 * sessions, WHEP and the agent's speech socket. Every failure is a RendererUnavailable whose `reason` tells a slow
 * container from a dead one or a wrong answer; a refusal of the caller's own input is a RendererRefused.
 */
export class RendererClient {
  /**
   * `secret` is the deployment's Bearer secret; WHEP and speech do without it. Health needs none, but carries it when
   * given: a call with the secret tells a local renderer that its API is still there (RENDERER_ORPHAN_SECONDS).
   */
  constructor(
    readonly endpoint: string,
    private readonly secret = '',
  ) {}

  /** True when the renderer answers GET /health with 200 within the timeout (its portrait is loaded). */
  async isHealthy(timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
    try {
      const response = await fetch(`${this.endpoint}${RENDERER_PATHS.health}`, {
        headers: this.secret ? { authorization: `Bearer ${this.secret}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** An MP4 clip of the avatar's idle motion; a renderer that misses a part (ffmpeg) says which in the reason. */
  preview(timeoutMs: number, body: PreviewRequest = {}): Promise<Buffer> {
    const call = { what: 'the preview', timeoutMs, setting: 'PREVIEW_TIMEOUT_MS' };
    return this.call(call, async (signal) => {
      const response = await this.postJson(RENDERER_PATHS.preview, body, signal);
      if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('video/mp4')) {
        const missing = await missingPart(response);
        throw missing ? new RendererUnavailable(missing) : badAnswer(call, response.status, ' and no MP4');
      }
      return Buffer.from(await response.arrayBuffer());
    });
  }

  /**
   * Creates a live session (a LiveKit one has joined its room when this returns); 'full' when the container already
   * runs as many as it takes (429). A LiveKit server that refused the avatar's token is a 400, one that could not be
   * reached a 502, each with the renderer's sentence.
   */
  startSession(request: SessionRequest): Promise<CreatedSession | 'full'> {
    const call = { what: 'the session start', timeoutMs: request.livekit ? LIVEKIT_SESSION_TIMEOUT_MS : SESSION_TIMEOUT_MS };
    return this.call(call, async (signal) => {
      const response = await this.postJson(RENDERER_PATHS.sessions, request, signal);
      const body = (await response.json().catch(() => null)) as (CreatedSession & { code?: string; error?: string }) | null;
      if (response.status === 429) return 'full';
      if (body?.code === LIVEKIT_ERRORS.refused && response.status === 400) throw new RendererRefused(400, body.code, body.error ?? '');
      if (body?.code === LIVEKIT_ERRORS.unreachable && response.status === 502) throw new RendererRefused(502, body.code, body.error ?? '');
      if (response.status !== 201 || !body) throw badAnswer(call, response.status);
      return body;
    });
  }

  /** How the container sees a session: live with its metrics, ended lately and why, or null when it knows none. */
  sessionStatus(sessionId: string): Promise<SessionStatus | null> {
    const call = { what: 'the session status', timeoutMs: HEALTH_TIMEOUT_MS * 2 };
    return this.call(call, async (signal) => {
      const response = await fetch(`${this.endpoint}${RENDERER_PATHS.session(sessionId)}`, { headers: this.json(), signal });
      if (response.status === 404) {
        await response.arrayBuffer();
        return null;
      }
      if (response.status !== 200) throw badAnswer(call, response.status);
      return (await response.json()) as SessionStatus;
    });
  }

  /** Ends a session; false when the container holds no such session (any more). */
  endSession(sessionId: string): Promise<boolean> {
    return this.remove(RENDERER_PATHS.session(sessionId), { what: 'the session end', timeoutMs: SESSION_TIMEOUT_MS });
  }

  /** Starts a talking-video render (contract/videos.ts); the same jobId again answers that render's status. */
  startVideo(request: RenderVideoRequest): Promise<RenderVideoStatus> {
    const call = { what: 'the video start', timeoutMs: VIDEO_CALL_TIMEOUT_MS };
    return this.call(call, async (signal) => {
      const response = await this.postJson(RENDERER_VIDEO_PATHS.videos, request, signal);
      const body = (await response.json().catch(() => null)) as RenderVideoStatus | null;
      if ((response.status !== 202 && response.status !== 200) || !body) {
        const sentence = (body as { error?: unknown } | null)?.error;
        throw badAnswer(call, response.status, typeof sentence === 'string' ? `: ${sentence}` : '');
      }
      return body;
    });
  }

  /** A render's state and progress; null when the container holds no such render (it restarted, or dropped it). */
  videoStatus(jobId: string): Promise<RenderVideoStatus | null> {
    const call = { what: 'the video status', timeoutMs: VIDEO_CALL_TIMEOUT_MS };
    return this.call(call, async (signal) => {
      const response = await fetch(`${this.endpoint}${RENDERER_VIDEO_PATHS.video(jobId)}`, { headers: this.json(), signal });
      if (response.status === 404) {
        await response.arrayBuffer();
        return null;
      }
      if (response.status !== 200) throw badAnswer(call, response.status);
      return (await response.json()) as RenderVideoStatus;
    });
  }

  /** A finished render's MP4; null when the container holds no such render. */
  videoFile(jobId: string, timeoutMs = VIDEO_CALL_TIMEOUT_MS * 6): Promise<Buffer | null> {
    const call = { what: 'the video download', timeoutMs };
    return this.call(call, async (signal) => {
      const response = await fetch(`${this.endpoint}${RENDERER_VIDEO_PATHS.videoFile(jobId)}`, { headers: this.json(), signal });
      if (response.status === 404) {
        await response.arrayBuffer();
        return null;
      }
      if (response.status !== 200 || !(response.headers.get('content-type') ?? '').startsWith('video/mp4')) {
        throw badAnswer(call, response.status, ' and no MP4');
      }
      return Buffer.from(await response.arrayBuffer());
    });
  }

  /** Cancels a render or drops its file; false when the container held no such render. */
  dropVideo(jobId: string): Promise<boolean> {
    return this.remove(RENDERER_VIDEO_PATHS.video(jobId), { what: 'the video removal', timeoutMs: VIDEO_CALL_TIMEOUT_MS });
  }

  /** A viewer's SDP offer, with its session token; the renderer's answer (201 with the SDP answer, or its error). */
  whepOffer(sessionId: string, token: string, offer: string): Promise<RelayedAnswer> {
    return this.relay({ what: 'the WHEP offer', timeoutMs: WHEP_TIMEOUT_MS }, 'POST', RENDERER_PATHS.whep(sessionId), token, offer);
  }

  /** Ends one viewer of a session. */
  whepEnd(sessionId: string, viewerId: string, token: string): Promise<RelayedAnswer> {
    return this.relay(
      { what: 'the WHEP viewer end', timeoutMs: WHEP_TIMEOUT_MS },
      'DELETE',
      RENDERER_PATHS.whepViewer(sessionId, viewerId),
      token,
    );
  }

  /** The emotion the session's face shows, set with the agent token as its `expression` message would (204, or the error). */
  setExpression(sessionId: string, token: string, expression: ExpressionRequest): Promise<RelayedAnswer> {
    const body = JSON.stringify(expression);
    return this.relay(
      { what: 'the expression', timeoutMs: WHEP_TIMEOUT_MS },
      'POST',
      RENDERER_PATHS.expression(sessionId),
      token,
      body,
      'application/json',
    );
  }

  /**
   * Joins an agent's WebSocket upgrade (already checked by the API) to the session's speech socket in the
   * container, so frames flow untouched. `search` is the caller's query string, token included.
   */
  pipeSpeech(
    sessionId: string,
    search: string,
    request: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    lost: () => Promise<UpstreamLostAnswer>,
  ): void {
    const target = new URL(this.endpoint);
    const upstream = http.request({
      host: target.hostname,
      port: target.port,
      path: `${RENDERER_PATHS.speech(sessionId)}${search}`,
      method: 'GET',
      headers: { ...request.headers, host: target.host },
    });
    upstream.on('upgrade', (response, upstreamSocket, upstreamHead) => {
      const lines = [`HTTP/1.1 101 ${response.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < response.rawHeaders.length; i += 2) lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upstreamHead.length) socket.write(upstreamHead);
      if (head.length) upstreamSocket.write(head);
      joinSpeechSockets(socket, upstreamSocket, lost);
    });
    upstream.on('response', (response) => {
      // The container refused the upgrade with a plain HTTP answer: pass it on and hang up.
      socket.end(`HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      response.resume();
    });
    upstream.on('error', () => socket.destroy());
    upstream.end();
  }

  private relay(
    call: Call,
    method: 'POST' | 'DELETE',
    path: string,
    token: string,
    body?: string,
    contentType = SDP,
  ): Promise<RelayedAnswer> {
    return this.call(call, async (signal) => {
      const response = await fetch(`${this.endpoint}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        body,
        signal,
      });
      const text = await response.text();
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? 'application/json',
        body: response.status === 204 ? undefined : text,
        location: response.headers.get('location'),
      };
    });
  }

  /** DELETE of a session or a render: true when removed (204), false when the container held no such thing (404). */
  private remove(path: string, call: Call): Promise<boolean> {
    return this.call(call, async (signal) => {
      const response = await fetch(`${this.endpoint}${path}`, { method: 'DELETE', headers: this.json(), signal });
      await response.arrayBuffer();
      if (response.status !== 204 && response.status !== 404) throw badAnswer(call, response.status);
      return response.status === 204;
    });
  }

  private postJson(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    return fetch(`${this.endpoint}${path}`, { method: 'POST', headers: this.json(), body: JSON.stringify(body), signal });
  }

  private json(): Record<string, string> {
    return { authorization: `Bearer ${this.secret}`, 'content-type': 'application/json' };
  }

  /** The one error mapping: whatever fails in `run` (sending, waiting, reading the answer) is the contract's 503. */
  private async call<T>(call: Call, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await run(AbortSignal.timeout(call.timeoutMs));
    } catch (error) {
      if (error instanceof RendererUnavailable || error instanceof RendererRefused) throw error;
      if (error instanceof Error && error.name === 'TimeoutError') {
        const setting = call.setting ? ` (${call.setting})` : '';
        throw new RendererUnavailable(`The rendering container did not finish ${call.what} within ${call.timeoutMs} ms${setting}.`);
      }
      throw new RendererUnavailable('The rendering container could not be reached.');
    }
  }
}

/** The reason of a 503 `missing-part` answer (contract/rendering-parts.ts), or null for any other answer. */
async function missingPart(response: Response): Promise<string | null> {
  const body = (await response.json().catch(() => null)) as RendererError | null;
  return response.status === 503 && body?.code === MISSING_PART && typeof body.reason === 'string' ? body.reason : null;
}

function badAnswer(call: Call, status: number, missing = ''): RendererUnavailable {
  return new RendererUnavailable(`The rendering container answered ${call.what} with HTTP ${status}${missing}.`);
}
