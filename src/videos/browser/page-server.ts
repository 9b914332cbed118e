/**
 * A loopback server the render pages talk to: each render gets a path under a random token where its page, the page's
 * script and the VRM are served, and a WebSocket there (`frames`) on which the page sends each frame's pixels as one
 * binary message. Megabytes a frame leave a browser far faster that way than through Playwright's evaluate (JSON) or
 * a fetch POST. One server per process, started lazily.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RenderRoute {
  /** The page's URL is `${base}index.html`; the frames' socket `${base}frames` (ws:). */
  base: string;
  /** The next frame the page sent, in order; rejects once `fail` was called or the page's socket closed early. */
  next(): Promise<Buffer>;
  /** Wakes whoever waits in next() with this error (the page failed). */
  fail(error: unknown): void;
  close(): void;
}

interface Entry {
  files: Map<string, { body: Buffer | string; type: string }>;
  frames: Buffer[];
  waiter: { resolve: (b: Buffer) => void; reject: (e: unknown) => void } | null;
  failure: unknown;
  socket: WebSocket | null;
}

/** Frames held here before the socket is paused, and the level at which it resumes. */
const QUEUE_HIGH = 8;
const QUEUE_LOW = 2;

const routes = new Map<string, Entry>();
let started: Promise<{ server: Server; origin: string }> | null = null;

export async function openRenderRoute(files: Record<string, { body: Buffer | string; type: string }>): Promise<RenderRoute> {
  const { origin } = await start();
  const token = randomBytes(18).toString('base64url');
  const entry: Entry = { files: new Map(Object.entries(files)), frames: [], waiter: null, failure: null, socket: null };
  routes.set(token, entry);
  return {
    base: `${origin}/r/${token}/`,
    next() {
      const frame = entry.frames.shift();
      if (entry.frames.length < QUEUE_LOW && entry.socket?.isPaused) entry.socket.resume();
      if (frame) return Promise.resolve(frame);
      if (entry.failure) return Promise.reject(entry.failure);
      return new Promise((resolve, reject) => (entry.waiter = { resolve, reject }));
    },
    fail: (error) => fail(entry, error),
    close() {
      routes.delete(token);
      entry.socket?.terminate();
      fail(entry, new Error('The render is over.'));
    },
  };
}

export async function closeRenderServer(): Promise<void> {
  const current = started;
  started = null;
  const s = await current?.catch(() => null);
  if (s)
    await new Promise<void>((resolve) => {
      s.server.closeAllConnections();
      s.server.close(() => resolve());
    });
}

function fail(entry: Entry, error: unknown): void {
  entry.failure ??= error;
  const waiter = entry.waiter;
  entry.waiter = null;
  waiter?.reject(entry.failure);
}

function routeOf(url: string | undefined): { entry: Entry; file: string } | null {
  const m = /^\/r\/([A-Za-z0-9_-]+)\/([A-Za-z0-9._-]+)$/.exec(new URL(url ?? '/', 'http://x').pathname);
  const entry = m ? routes.get(m[1]) : undefined;
  return m && entry ? { entry, file: m[2] } : null;
}

function start(): Promise<{ server: Server; origin: string }> {
  started ??= new Promise((resolve, reject) => {
    const server = createServer(serveFile);
    const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 * 4096 * 4 });
    server.on('upgrade', (req, socket, head) => {
      const hit = routeOf(req.url);
      // One socket per render, at its own token's path.
      const entry = hit?.file === 'frames' ? hit.entry : null;
      if (!entry || entry.socket) return socket.destroy();
      sockets.handleUpgrade(req, socket, head, (ws) => {
        entry.socket = ws;
        ws.on('message', (data: Buffer, isBinary) => {
          if (!isBinary) return;
          const waiter = entry.waiter;
          entry.waiter = null;
          if (waiter) waiter.resolve(data);
          else entry.frames.push(data);
          // Frames drawn faster than they are encoded wait in the browser (the page stops when its socket backs up),
          // not here: a long clip would otherwise pile up in this process' memory.
          if (entry.frames.length >= QUEUE_HIGH) ws.pause();
        });
        ws.on('close', () => fail(entry, new Error('The render page closed its frame socket.')));
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      // A server with nothing to render does not keep the process alive.
      server.unref();
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
  return started;
}

function serveFile(req: IncomingMessage, res: ServerResponse): void {
  const hit = routeOf(req.url);
  const file = req.method === 'GET' && hit ? hit.entry.files.get(hit.file) : undefined;
  if (!file) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
  res.end(file.body);
}
