import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ApiError, ERRORS } from '../../../domain/errors.ts';

/**
 * Stored files at the URLs the API hands out. Keys are content hashes under an avatar's random
 * id, so a URL names one immutable file: it can be cached forever and needs no key to fetch
 * (a browser's model loader or <video> element cannot send X-API-Key).
 */
export function blobRoutes(app: FastifyInstance, services: Services) {
  app.get<{ Params: { '*': string } }>('/blobs/*', { schema: { hide: true } }, async (request, reply) => {
    const key = request.params['*'];
    // Uploaded files are untrusted bytes on the API's origin: never sniffed into HTML, never run as a page, and sources
    // are downloads rather than documents when opened directly (a loader's fetch or an <img> is unaffected).
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', "default-src 'none'; sandbox");
    const disposition = sourceDisposition(key);
    if (disposition) reply.header('content-disposition', disposition);
    const info = await services.blobs.head(key);
    if (!info) throw ERRORS.notFound('file', key);
    reply.header('etag', info.etag);
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    reply.header('accept-ranges', 'bytes');
    reply.type(info.contentType);
    if (request.headers['if-none-match'] === info.etag) return reply.code(304).send();

    const range = parseRange(request.headers.range, info.size);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.size}`);
      throw new ApiError(416, 'range-not-satisfiable', `The file has ${info.size} bytes; the requested range is outside it.`);
    }
    const read = await services.blobs.get(key, range ?? undefined);
    if (!read) throw ERRORS.notFound('file', key);
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
      reply.header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', info.size);
    }
    return reply.send(read.body);
  });
}

/** `attachment` with a file name for an avatar's uploaded source (`avatars/<id>/source/...`), else null. */
function sourceDisposition(key: string): string | null {
  const match = /^avatars\/([A-Za-z0-9_-]+)\/source\/.+\.([a-z0-9]{1,8})$/.exec(key);
  return match ? `attachment; filename="${match[1]}.${match[2]}"` : null;
}

/** One `bytes=` range (the only kind media players and model loaders send); others get the whole file. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
