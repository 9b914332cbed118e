import { HttpError, readBody, sendJson as sendJsonWith } from '../http-basics.ts';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { PortraitAnimator } from '../engine/portrait-animator.ts';
import type { LiveConfig } from '../config.ts';
import { LiveSession } from './live-session.ts';
import {
  CLOSE,
  type CreatedSession,
  ENDED_KEPT,
  LIVEKIT_ERRORS,
  MAX_OFFER_BYTES,
  parseSessionRequest,
  type SessionMetricsSnapshot,
  type SessionStatus,
} from '../../contract/live-sessions.ts';
import type { MetricsEvent } from './session-metrics.ts';
import { LiveKitJoinError, LiveKitWorker } from '../livekit/livekit-worker.ts';
import { RENDERER_PATHS } from '../../contract/renderer-http.ts';
import { parseExpressionObject } from '../../contract/expressions.ts';
import { bindSpeechSocket, refuse } from './speech-socket.ts';
import { checkWhepOffer, WhepOfferError } from './whep-viewer.ts';
import { messageOf } from '../error-message.ts';

const MAX_JSON_BYTES = 16 * 1024;
// Browsers post WHEP offers from the app's origin; the session token, not the origin, is the credential.
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Expose-Headers': 'Location',
};

export interface LiveRoutesOptions {
  config: LiveConfig;
  animator(): PortraitAnimator | null;
  /** True when the request carries the renderer's own Bearer secret. */
  isRendererCaller(request: http.IncomingMessage): boolean;
}

export interface LiveRoutes {
  /** Answers a request under /sessions. */
  handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void>;
  /** The node:http server's `upgrade` listener: the agents' speech sockets. */
  upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every session (shutdown). */
  closeAll(): void;
  readonly sessions: ReadonlyMap<string, LiveSession>;
}

/** Live sessions' routes (docs/live-sessions.md): created by the API, spoken into by the agent, watched over WHEP. */
export function createLiveRoutes(options: LiveRoutesOptions): LiveRoutes {
  const { config } = options;
  const sessions = new Map<string, LiveSession>();
  // Sessions ended lately, for GET /sessions/:id (the API asks how a session ended); the oldest are forgotten first.
  const ended = new Map<string, SessionStatus>();
  // One agent message per event-loop turn: a burst of speech chunks (each analysed for visemes) would otherwise run
  // back to back and hold up /health, other sessions' frames and WHEP answers for as long as the burst lasts.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, allowSynchronousEvents: false });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    try {
      await route(request, response, url);
    } catch (error) {
      if (error instanceof HttpError) return sendJson(response, error.status, { error: error.message, code: error.code });
      process.stderr.write(`${JSON.stringify({ event: 'error', message: messageOf(error) })}\n`);
      sendJson(response, 500, { error: 'The renderer failed to answer this request.', code: 'internal' });
    }
  }

  async function route(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean); // ['sessions', id?, 'whep'?, viewerId?]
    const method = request.method ?? 'GET';
    if (parts.length === 1) {
      requireSecret(request);
      if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'This route only answers POST.');
      return createSession(request, response);
    }
    const id = decodeURIComponent(parts[1]);
    if (parts.length === 2) {
      requireSecret(request);
      if (method === 'GET') {
        const session = sessions.get(id);
        const status: SessionStatus | undefined = session
          ? { sessionId: id, transport: session.transport, state: 'active', metrics: withoutType(session.metricsNow()) }
          : ended.get(id);
        if (!status) throw notFound();
        return sendJson(response, 200, status);
      }
      if (method !== 'DELETE') throw new HttpError(405, 'method-not-allowed', 'This route only answers GET and DELETE.');
      const session = sessions.get(id);
      if (!session) throw notFound();
      session.end('deleted');
      response.writeHead(204).end();
      return;
    }
    if (parts[2] === 'expression' && parts.length === 3) return setExpression(request, response, id, method);
    if (parts[2] !== 'whep' || parts.length > 4) throw notFound();
    if (method === 'OPTIONS') {
      response.writeHead(204, CORS).end();
      return;
    }
    const session = sessionForToken(id, request.headers.authorization);
    if (parts.length === 3) {
      if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'This route only answers POST.');
      if (!/^application\/sdp\b/i.test(request.headers['content-type'] ?? '')) {
        throw new HttpError(415, 'unsupported-media-type', 'A WHEP offer is sent as "Content-Type: application/sdp".');
      }
      const offer = await readBody(request, MAX_OFFER_BYTES);
      const problem = checkWhepOffer(offer);
      if (problem) throw new HttpError(400, 'validation-failed', problem);
      if (session.viewerCount >= config.maxViewers)
        throw new HttpError(429, 'too-many-viewers', `This session already has ${config.maxViewers} viewers.`);
      const { viewerId, answerSdp } = await session.addViewer(offer).catch((error: unknown) => {
        // libwebrtc refused the offer itself: the viewer's fault, said as a 400 rather than a 500.
        if (error instanceof WhepOfferError) throw new HttpError(400, 'validation-failed', error.message);
        throw error;
      });
      const location = RENDERER_PATHS.whepViewer(id, viewerId);
      response.writeHead(201, {
        ...CORS,
        'Content-Type': 'application/sdp',
        Location: location,
        'Content-Length': Buffer.byteLength(answerSdp),
      });
      response.end(answerSdp);
      return;
    }
    if (method !== 'DELETE') throw new HttpError(405, 'method-not-allowed', 'This route only answers DELETE.');
    if (!session.removeViewer(parts[3])) throw notFound();
    response.writeHead(204, CORS).end();
  }

  async function createSession(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse((await readBody(request, MAX_JSON_BYTES)) || 'null');
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'invalid-json', 'The request body is not valid JSON.');
    }
    let input: ReturnType<typeof parseSessionRequest>;
    try {
      input = parseSessionRequest(body);
    } catch (error) {
      throw new HttpError(400, 'validation-failed', (error as Error).message);
    }
    const animator = options.animator();
    if (!animator) throw new HttpError(503, 'service-unavailable', 'The portrait is still loading; try again shortly.');
    if (sessions.has(input.sessionId)) throw new HttpError(409, 'conflict', `Session "${input.sessionId}" already exists.`);
    if (sessions.size >= config.maxSessions) {
      throw new HttpError(429, 'too-many-sessions', `This renderer already runs ${config.maxSessions} live sessions (MAX_SESSIONS).`);
    }
    const session = new LiveSession({
      id: input.sessionId,
      transport: input.livekit ? 'livekit' : 'whep',
      token: input.token,
      viewerToken: input.viewerToken,
      animator,
      maxSessionSeconds: input.maxSessionSeconds,
      maxIdleSeconds: input.maxIdleSeconds,
      maxQueuedSpeechSeconds: input.maxQueuedSpeechSeconds,
      reconnectGraceSeconds: input.reconnectGraceSeconds,
      jitterMs: config.jitterMs,
      maxViewers: config.maxViewers,
      iceHosts: config.iceHosts,
      expression: input.expression,
      onEnded: (gone, reason) => {
        if (sessions.get(gone.id) !== gone) return;
        sessions.delete(gone.id);
        ended.set(gone.id, {
          sessionId: gone.id,
          transport: gone.transport,
          state: 'ended',
          endReason: reason,
          endedAt: new Date().toISOString(),
          metrics: withoutType(gone.metricsNow()),
        });
        if (ended.size > ENDED_KEPT) ended.delete(ended.keys().next().value!);
      },
    });
    sessions.set(session.id, session);
    const created: CreatedSession = {
      sessionId: session.id,
      speechPath: RENDERER_PATHS.speech(session.id),
      whepPath: RENDERER_PATHS.whep(session.id),
    };
    if (input.livekit) {
      try {
        const worker = await LiveKitWorker.join(session, input.livekit, log);
        created.participantIdentity = worker.participantIdentity;
        if (session.isEnded) {
          // Ended (DELETE, shutdown) while the avatar was joining: it leaves again at once.
          await worker.leave();
          throw new HttpError(409, 'conflict', 'The session was ended while its avatar joined the room.');
        }
      } catch (error) {
        // It never began: forget it rather than remember it as ended.
        sessions.delete(session.id);
        session.end('room-closed');
        ended.delete(session.id);
        if (!(error instanceof LiveKitJoinError)) throw error;
        if (error.kind === 'refused') throw new HttpError(400, LIVEKIT_ERRORS.refused, error.message);
        throw new HttpError(502, LIVEKIT_ERRORS.unreachable, error.message);
      }
    }
    sendJson(response, 201, created);
  }

  /** The agent's emotion over HTTP (what the web SDK's setExpression sends): as its `expression` message, agent token only. */
  async function setExpression(request: http.IncomingMessage, response: http.ServerResponse, id: string, method: string) {
    if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'This route only answers POST.');
    const session = sessionForToken(id, request.headers.authorization);
    if (session.roleOf(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '') !== 'agent')
      throw new HttpError(403, 'forbidden', 'The viewer token only watches; setting the expression needs the agent token.');
    let expression: ReturnType<typeof parseExpressionObject>;
    try {
      expression = parseExpressionObject(JSON.parse((await readBody(request, MAX_JSON_BYTES)) || 'null'));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const message = error instanceof SyntaxError ? 'The request body is not valid JSON.' : (error as Error).message;
      throw new HttpError(400, error instanceof SyntaxError ? 'invalid-json' : 'validation-failed', message);
    }
    session.setExpression(expression);
    response.writeHead(204).end();
  }

  function requireSecret(request: http.IncomingMessage): void {
    if (!options.isRendererCaller(request)) {
      throw new HttpError(401, 'unauthorized', 'A valid "Authorization: Bearer <secret>" header is required.');
    }
  }

  /** WHEP takes either token: viewers hold the viewer token, and the agent may watch its own session. */
  function sessionForToken(id: string, header: string | undefined): LiveSession {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
    const session = sessions.get(id);
    // 404 and a wrong token answer alike, so a token cannot probe for other sessions.
    if (!session?.roleOf(token))
      throw new HttpError(401, 'unauthorized', 'A valid "Authorization: Bearer <session token>" header is required.');
    return session;
  }

  function upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://renderer');
    const match = /^\/sessions\/([^/]+)\/speech$/.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const session = sessions.get(decodeURIComponent(match[1]));
      const token = url.searchParams.get('token') ?? '';
      // Refusals close only this socket: the session, if there is one, goes on for its rightful agent.
      const role = session?.roleOf(token) ?? null;
      if (!session || !role) return refuse(ws, CLOSE.badToken, 'The token is missing, expired, or not for this session.');
      if (role === 'viewer') return refuse(ws, CLOSE.viewerToken, 'The viewer token only watches (WHEP); speaking needs the agent token.');
      if (session.transport === 'livekit') {
        return refuse(ws, CLOSE.livekitSession, "This is a LiveKit session: the agent speaks through the room's lk.audio_stream.");
      }
      bindSpeechSocket(ws, session);
    });
  }

  return {
    handle,
    upgrade,
    closeAll: () => {
      for (const session of [...sessions.values()]) session.end('shutdown');
      sockets.close();
    },
    sessions,
  };
}

/** Structured log lines, as the renderer's others (one JSON object a line on stderr). */
function log(event: string, fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function withoutType({ type: _, ...metrics }: MetricsEvent): SessionMetricsSnapshot {
  return metrics;
}

function notFound(): HttpError {
  return new HttpError(404, 'not-found', 'There is no such session or route.');
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  sendJsonWith(response, status, body, CORS);
}
