import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { Services } from '../../../domain/context.ts';
import { ApiError } from '../../../domain/errors.ts';
import { openLiveSession } from '../../../domain/sessions/open-live-session.ts';
import { CLOSE } from '../../../../renderer/live/speech-protocol.ts';

const SPEECH_PATH = /^\/api\/v1\/sessions\/([^/]+)\/speech$/;

/**
 * The agent's speech WebSocket, `/api/v1/sessions/:id/speech?token=...`: once the token is known
 * good, the upgrade is passed to the container that holds the session and the two sockets are
 * joined, so frames flow untouched. A refused token still completes the handshake, to say why
 * with the protocol's close code (4001; 4004 for the viewer token, which never speaks), as the
 * container itself would.
 */
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
        if (role === 'viewer') return refuse(CLOSE.viewerToken, 'The viewer token only watches (WHEP); speaking needs the agent token.', 'viewer token');
        pipeToRenderer(endpoint, `/sessions/${match[1]}/speech${url.search}`, request, socket, head);
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

function pipeToRenderer(endpoint: string, path: string, request: http.IncomingMessage, socket: Duplex, head: Buffer) {
  const target = new URL(endpoint);
  const upstream = http.request({
    host: target.hostname,
    port: target.port,
    path,
    method: 'GET',
    headers: { ...request.headers, host: target.host },
  });
  upstream.on('upgrade', (response, upstreamSocket, upstreamHead) => {
    const lines = [`HTTP/1.1 101 ${response.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < response.rawHeaders.length; i += 2) lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length) socket.write(upstreamHead);
    if (head.length) upstreamSocket.write(head);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('close', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
  });
  upstream.on('response', (response) => {
    // The container refused the upgrade with a plain HTTP answer: pass it on and hang up.
    socket.end(`HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    response.resume();
  });
  upstream.on('error', () => socket.destroy());
  upstream.end();
}
