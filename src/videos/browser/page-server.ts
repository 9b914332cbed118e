/**
 * A loopback HTTP server the render pages talk to: each render gets a path under a random token, where its page, the
 * page's script and the VRM are served, and where the page POSTs its frames' pixels (a browser hands megabytes to
 * Node far faster over HTTP than through Playwright's evaluate, which copies them as JSON). One per process, lazily.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RenderRoute {
  /** The page's URL: `${base}index.html`. */
  base: string;
  /** Waits for batch `index`'s pixels (the page POSTs them before its render call returns). */
  take(index: number): Buffer;
  close(): void;
}

interface Entry {
  files: Map<string, { body: Buffer | string; type: string }>;
  batches: Map<number, Buffer>;
}

const routes = new Map<string, Entry>();
let server: Promise<{ server: Server; origin: string }> | null = null;

export async function openRenderRoute(files: Record<string, { body: Buffer | string; type: string }>): Promise<RenderRoute> {
  const { origin } = await started();
  const token = randomBytes(18).toString('base64url');
  const entry: Entry = { files: new Map(Object.entries(files)), batches: new Map() };
  routes.set(token, entry);
  return {
    base: `${origin}/r/${token}/`,
    take(index) {
      const batch = entry.batches.get(index);
      if (!batch) throw new Error(`The render page sent no pixels for batch ${index}.`);
      entry.batches.delete(index);
      return batch;
    },
    close: () => void routes.delete(token),
  };
}

/** The origin pages are served from, e.g. to let the browser reach it and nothing else. */
export async function renderServerOrigin(): Promise<string> {
  return (await started()).origin;
}

export async function closeRenderServer(): Promise<void> {
  const current = server;
  server = null;
  const s = await current?.catch(() => null);
  if (s)
    await new Promise<void>((resolve) => {
      s.server.closeAllConnections();
      s.server.close(() => resolve());
    });
}

function started(): Promise<{ server: Server; origin: string }> {
  server ??= new Promise((resolve, reject) => {
    const s = createServer((req, res) => void handle(req, res));
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      s.unref();
      resolve({ server: s, origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}` });
    });
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const m = /^\/r\/([A-Za-z0-9_-]+)\/([A-Za-z0-9._/-]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
  const entry = m ? routes.get(m[1]) : undefined;
  if (!m || !entry) return end(res, 404);
  const frames = /^frames\/(\d+)$/.exec(m[2]);
  if (req.method === 'POST' && frames) {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return end(res, 400);
    }
    entry.batches.set(Number(frames[1]), Buffer.concat(chunks));
    return end(res, 204);
  }
  const file = req.method === 'GET' ? entry.files.get(m[2]) : undefined;
  if (!file) return end(res, 404);
  res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
  res.end(file.body);
}

function end(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
