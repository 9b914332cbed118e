/**
 * A static file server for the browser tests and the benchmark (node:http on 127.0.0.1): the built SDK under
 * /dist/, the shared VRM fixtures under /vrm/, the starter at /starter.vrm, extra files the test adds, and a tiny
 * stand-in of the Avatars API (GET /api/v1/avatars/:id, POST .../preview) so loading by id is exercised.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FIXTURES_DIR, ROOT_DIR } from '../fixtures.ts';

export interface WebTestServer {
  url: string;
  /** Serves `body` at `route` (e.g. '/audio/a.wav'). */
  add(route: string, body: Buffer | string, type: string): void;
  /** Answers GET /api/v1/avatars/:id with this object for requests with X-API-Key `key` (or Bearer `key`). */
  addAvatar(avatar: { _id: string; [k: string]: unknown }, key: string, previewUrl?: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.vrm': 'model/gltf-binary',
  '.html': 'text/html',
  '.wav': 'audio/wav',
  '.mp4': 'video/mp4',
};

export const TEST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>avatar test</title>
<style>html,body{margin:0;background:#ffffff}#stage{width:512px;height:512px}</style></head>
<body><div id="stage"></div><script src="/dist/avatar-sdk.iife.js"></script></body></html>`;

export async function startWebTestServer(distDir: string): Promise<WebTestServer> {
  const extra = new Map<string, { body: Buffer | string; type: string }>();
  const avatars = new Map<string, { avatar: object; key: string; previewUrl?: string }>();
  extra.set('/', { body: TEST_PAGE, type: 'text/html' });

  const api = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const m = /^\/api\/v1\/avatars\/([^/]+)(\/preview)?$/.exec(url.pathname);
    if (!m) return false;
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify(body));
    };
    const entry = avatars.get(m[1]);
    const given = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (!given) return (json(401, { error: 'An API key is required: send it in the X-API-Key header.', code: 'unauthorized' }), true);
    if (!entry || entry.key !== given) return (json(404, { error: `Avatar ${m[1]} was not found.`, code: 'not-found' }), true);
    if (m[2]) {
      if (req.method !== 'POST') return (json(405, { error: 'Use POST.', code: 'method-not-allowed' }), true);
      if (!entry.previewUrl)
        return (
          json(503, { error: 'Avatar rendering container not deployed. Deploy the avatar first.', code: 'service-unavailable' }), true
        );
      return (json(200, { avatarId: m[1], previewUrl: entry.previewUrl, status: 'completed' }), true);
    }
    return (json(200, entry.avatar), true);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (api(req, res, url)) return;
      const hit = extra.get(url.pathname);
      if (hit) return send(res, hit.body, hit.type);
      let file: string | null = null;
      if (url.pathname.startsWith('/dist/')) file = path.join(distDir, path.basename(url.pathname));
      else if (url.pathname.startsWith('/vrm/')) file = path.join(FIXTURES_DIR, 'vrm', path.basename(url.pathname));
      else if (url.pathname === '/starter.vrm') file = path.join(ROOT_DIR, 'web', 'starter', 'starter.vrm');
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      send(res, await readFile(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
    } catch (err) {
      res.writeHead((err as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add: (route, body, type) => void extra.set(route, { body, type }),
    addAvatar: (avatar, key, previewUrl) => void avatars.set(avatar._id, { avatar, key, previewUrl }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, body: Buffer | string, type: string): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
