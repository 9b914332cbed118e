import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ApiError, ERRORS } from '../../../domain/errors.ts';

const WEB_DIR = fileURLToPath(new URL('../../../../web/', import.meta.url));
const DIST_DIR = path.join(WEB_DIR, 'dist');
const CONSOLE_DIR = path.join(WEB_DIR, 'console');

/** What the console and the SDK routes may hand out, by URL: nothing outside this table is served. */
const FILES: Record<string, { file: string; type: string; built?: boolean }> = {
  '/': { file: path.join(CONSOLE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/console/console.css': { file: path.join(CONSOLE_DIR, 'console.css'), type: 'text/css; charset=utf-8' },
  '/console/console.js': { file: path.join(DIST_DIR, 'console.js'), type: 'text/javascript; charset=utf-8', built: true },
  '/sdk/avatar-sdk.iife.js': { file: path.join(DIST_DIR, 'avatar-sdk.iife.js'), type: 'text/javascript; charset=utf-8', built: true },
  '/sdk/avatar-sdk.bundled.js': { file: path.join(DIST_DIR, 'avatar-sdk.bundled.js'), type: 'text/javascript; charset=utf-8', built: true },
  '/sdk/avatar-sdk.js': { file: path.join(DIST_DIR, 'avatar-sdk.js'), type: 'text/javascript; charset=utf-8', built: true },
  '/starter/starter.vrm': { file: path.join(WEB_DIR, 'starter', 'starter.vrm'), type: 'model/gltf-binary' },
  // The live-session viewer page (docs/live-sessions.md) and the sentence it speaks.
  '/live': { file: path.join(WEB_DIR, 'live', 'index.html'), type: 'text/html; charset=utf-8' },
  '/live/live.js': { file: path.join(WEB_DIR, 'live', 'live.js'), type: 'text/javascript; charset=utf-8' },
  '/live/whep-viewer.js': { file: path.join(WEB_DIR, 'live', 'whep-viewer.js'), type: 'text/javascript; charset=utf-8' },
  '/live/sample-sentence.pcm': { file: path.join(WEB_DIR, 'live', 'sample-sentence.pcm'), type: 'application/octet-stream' },
};

/**
 * The console page holds an API key, so scripts come only from this server. Models and previews may come
 * from PUBLIC_URL (a CDN in front of the blobs); three.js decodes textures through blob: URLs and the
 * SDK's lip-sync worklet loads from one. Inline styles are allowed: <avatar-view> styles its shadow root
 * with a <style> element, and a style cannot read the key.
 */
function contentSecurityPolicy(publicUrl: string): string {
  const blobs = new URL(publicUrl).origin;
  return [
    "default-src 'self'",
    "script-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${blobs}`,
    `media-src 'self' blob: ${blobs}`,
    `connect-src 'self' data: blob: ${blobs}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The console at `/` (web/console), the built SDK at `/sdk/*` and the starter model at
 * `/starter/starter.vrm`. No key is needed to fetch them: the page asks for one and keeps it in the tab.
 */
export function consoleRoutes(app: FastifyInstance, services: Services): void {
  const csp = contentSecurityPolicy(services.config.publicUrl);
  for (const [url, entry] of Object.entries(FILES)) {
    app.get(url, { schema: { hide: true } }, (request, reply) => sendFile(request, reply, url, entry, csp));
  }
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  url: string,
  entry: (typeof FILES)[string],
  csp: string,
): Promise<FastifyReply> {
  const info = await stat(entry.file).catch(() => null);
  if (!info?.isFile()) {
    if (entry.built) {
      throw new ApiError(503, 'service-unavailable', `${url} has not been built on this server; run "npx tsx web/build.ts" and reload.`);
    }
    throw ERRORS.notFound('file', url);
  }
  // Files change only when rebuilt: revalidate each time, answer 304 while size and mtime hold.
  const etag = `W/"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  reply.header('etag', etag);
  reply.header('cache-control', 'no-cache');
  reply.header('x-content-type-options', 'nosniff');
  if (url === '/' || url === '/live') {
    reply.header('content-security-policy', csp);
    reply.header('referrer-policy', 'no-referrer');
  }
  reply.type(entry.type);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.header('content-length', info.size);
  return reply.send(createReadStream(entry.file));
}
