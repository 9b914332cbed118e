import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { Services } from '../../../domain/context.ts';
import { ApiError } from '../../../domain/errors.ts';
import { openLiveSession } from '../../../domain/sessions/open-live-session.ts';
import { RendererClient } from '../../../renderer-client/renderer-client.ts';
import type { UpstreamLostAnswer } from '../../../renderer-client/speech-pipe.ts';
import { speechUpstreamLost } from '../../../domain/sessions/speech-upstream-lost.ts';
import { CLOSE } from '../../../../contract/live-sessions.ts';

const SPEECH_PATH = /^\/api\/v1\/sessions\/([^/]+)\/speech$/;

/**
 * The agent's speech WebSocket, `/api/v1/sessions/:id/speech?token=...`: once the token is known
 * good, the upgrade is passed to the container that holds the session and the two sockets are
 * joined, so frames flow untouched. A refused token still completes the handshake, to say why
 * with the protocol's close code (4001; 4004 for the viewer token, which never speaks), as the
 * container itself would.
 */
/** What the agent hears when the container's side of its socket dropped (speech-pipe.ts writes it). */
async function upstreamLost(services: Services, sessionId: string): Promise<UpstreamLostAnswer> {
  const reason = await speechUpstreamLost(services, sessionId);
  if (reason) return { event: { type: 'ended', reason }, code: CLOSE.normal, reason };
  const message = 'The connection to the rendering container dropped; the session goes on: connect again with the same token.';
  return { event: { type: 'error', message }, code: CLOSE.reconnect, reason: 'reconnect' };
}

export function attachSpeechProxy(app: FastifyInstance, services: Services): void {
  const refusals = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  app.server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = SPEECH_PATH.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    const refuse = (code: number, message: string, reason: string) =>
      refusals.handleUpgrade(request, socket, head, (ws) => {
        ws.send(JSON.stringify({ type: 'error', message }));
        ws.close(code, reason);
      });
    openLiveSession(services, match[1]!, url.searchParams.get('token') ?? undefined).then(
      ({ endpoint, role }) => {
        if (role === 'viewer')
          return refuse(CLOSE.viewerToken, 'The viewer token only watches (WHEP); speaking needs the agent token.', 'viewer token');
        new RendererClient(endpoint).pipeSpeech(match[1]!, url.search, request, socket, head, () => upstreamLost(services, match[1]!));
      },
      (error: unknown) => {
        const unavailable = error instanceof ApiError && error.status === 503;
        const message = error instanceof ApiError ? error.message : 'The session could not be opened.';
        // 1013: try again later (the container is not running).
        refuse(unavailable ? CLOSE.tryAgainLater : CLOSE.badToken, message, unavailable ? 'renderer unavailable' : 'unauthorized');
      },
    );
  });
}
