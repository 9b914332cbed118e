import { HttpError, readBody, sendJson } from './http-basics.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { PREVIEW_SECONDS, RENDERER_PATHS, type HealthAnswer, type RendererError, type RendererInfo } from '../contract/renderer-http.ts';
import { MISSING_PART } from '../contract/rendering-parts.ts';
import { type ExpressionRequest, parseExpression } from '../contract/expressions.ts';
import { RENDERER_VERSION, type RendererConfig } from './config.ts';
import type { PortraitAnimator } from './engine/portrait-animator.ts';
import { MissingPart } from './encoder/ffmpeg-part.ts';
import { createLiveRoutes, type LiveRoutes } from './live/live-routes.ts';
import { renderPreviewClip } from './preview-clip.ts';
import { RenderQueue } from './render-queue.ts';
import { RENDERER_VIDEO_PATHS } from '../contract/videos.ts';
import { readVideoConfig } from './video/video-config.ts';
import { createVideoRoutes } from './video/video-routes.ts';
import { messageOf } from './error-message.ts';

/** What the server needs: the config and, once the portrait is loaded, the animator. */
export interface RendererState {
  config: RendererConfig;
  animator: PortraitAnimator | null;
  startedAt: number;
  /** When a request last carried the renderer's secret (the API calls, health probes included): see orphan-watch.ts. */
  lastContactAt: number;
}

const MAX_BODY_BYTES = 16 * 1024;

/**
 * The container's HTTP contract (contract/renderer-http.ts): GET /health, GET /info, POST /preview, the live
 * sessions under /sessions (docs/live-sessions.md) and the talking videos under /videos (contract/videos.ts).
 * Every route but /health and the session-token routes needs `Authorization: Bearer <RENDERER_SECRET>`.
 */
export function createRendererServer(state: RendererState): { server: http.Server; queue: RenderQueue; live: LiveRoutes } {
  const queue = new RenderQueue();
  const secretDigest = digest(state.config.secret);
  const live = createLiveRoutes({
    config: state.config.live,
    animator: () => state.animator,
    isRendererCaller: (request) => authorized(request.headers.authorization, secretDigest),
  });

  // Talking videos (issue 18, contract/videos.ts): their settings come from the environment beside the rest.
  const videos = createVideoRoutes({ config: readVideoConfig(process.env), animator: () => state.animator });

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) sendError(response, error.status, error.code, error.message, error.reason);
      else if (error instanceof MissingPart) {
        process.stderr.write(`${JSON.stringify({ event: 'missing-part', part: error.part, reason: error.reason })}\n`);
        sendError(response, 503, MISSING_PART, `The renderer cannot do this without ${error.part}.`, error.reason);
      } else {
        process.stderr.write(`${JSON.stringify({ event: 'error', message: messageOf(error) })}\n`);
        sendError(response, 500, 'internal', 'The renderer failed to answer this request.');
      }
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://renderer');
    const route = `${request.method} ${url.pathname}`;
    // Any call with the secret is the API's: it keeps a renderer that stops when left alone (orphan-watch.ts) alive.
    const fromApi = authorized(request.headers.authorization, secretDigest);
    if (fromApi) state.lastContactAt = Date.now();
    if (url.pathname === RENDERER_PATHS.health) {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw methodNotAllowed('GET');
      if (!state.animator) return sendJson(response, 503, { status: 'loading' } satisfies HealthAnswer);
      return sendJson(response, 200, { status: 'ok' } satisfies HealthAnswer);
    }
    if (url.pathname === RENDERER_PATHS.sessions || url.pathname.startsWith(`${RENDERER_PATHS.sessions}/`))
      return live.handle(request, response, url);
    if (url.pathname === RENDERER_VIDEO_PATHS.videos || url.pathname.startsWith(`${RENDERER_VIDEO_PATHS.videos}/`)) {
      if (!fromApi) throw new HttpError(401, 'unauthorized', 'A valid "Authorization: Bearer <secret>" header is required.');
      return videos.handle(request, response, url);
    }
    if (url.pathname !== RENDERER_PATHS.info && url.pathname !== RENDERER_PATHS.preview) {
      throw new HttpError(404, 'not-found', 'There is no such route on the renderer.');
    }
    if (!fromApi) {
      throw new HttpError(401, 'unauthorized', 'A valid "Authorization: Bearer <secret>" header is required.');
    }
    if (route === `GET ${RENDERER_PATHS.info}`) return sendJson(response, 200, info(state));
    if (route === `POST ${RENDERER_PATHS.preview}`) {
      const preview = parsePreviewBody(await readBody(request, MAX_BODY_BYTES));
      const animator = state.animator;
      if (!animator) throw new HttpError(503, 'service-unavailable', 'The portrait is still loading; try again shortly.');
      const clip = await queue.run(() =>
        renderPreviewClip(preview.seed === undefined ? animator : animator.withSeed(preview.seed), preview.seconds, preview.expression),
      );
      response.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': clip.length, 'Cache-Control': 'no-store' });
      response.end(clip);
      return;
    }
    throw methodNotAllowed(url.pathname === RENDERER_PATHS.info ? 'GET' : 'POST');
  }

  server.on('upgrade', live.upgrade);
  server.on('close', () => {
    live.closeAll();
    videos.close();
  });

  return { server, queue, live };
}

function info(state: RendererState): RendererInfo {
  const { config } = state;
  return {
    avatarId: config.avatarId,
    resolution: config.render.resolution,
    frameRate: config.render.frameRate,
    idleMotion: config.render.idleMotion,
    seed: config.seed,
    engine: state.animator?.engine ?? 'cpu',
    uptimeSeconds: Math.round((Date.now() - state.startedAt) / 1000),
    version: RENDERER_VERSION,
  };
}

/** Reads a PreviewRequest: returns the clip length, optional seed and expression, or throws a 400 naming the problem. */
export function parsePreviewBody(text: string): { seconds: number; seed?: number; expression?: ExpressionRequest } {
  if (text.trim() === '') return { seconds: PREVIEW_SECONDS.default };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw validation('The request body must be a JSON object.');
  const given = body as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (key !== 'durationSeconds' && key !== 'seed' && key !== 'expression')
      throw validation(`Unknown field "${key}": only durationSeconds, seed and expression are accepted.`);
  }
  let seconds: number = PREVIEW_SECONDS.default;
  if (given.durationSeconds !== undefined) {
    const d = given.durationSeconds;
    if (typeof d !== 'number' || !Number.isFinite(d) || d < PREVIEW_SECONDS.min || d > PREVIEW_SECONDS.max) {
      throw validation(`durationSeconds must be a number from ${PREVIEW_SECONDS.min} to ${PREVIEW_SECONDS.max}.`);
    }
    seconds = d;
  }
  const expression = given.expression === undefined ? {} : { expression: previewExpression(given.expression) };
  if (given.seed === undefined) return { seconds, ...expression };
  const seed = given.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw validation('seed must be an integer from 0 to 4294967295.');
  }
  return { seconds, seed, ...expression };
}

function previewExpression(value: unknown): ExpressionRequest {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw validation('expression must be an object: { "name", "intensity"? }.');
  const { name, intensity, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw validation(`expression has an unknown field "${unknown}": only name and intensity are accepted.`);
  try {
    return parseExpression(name, intensity);
  } catch (error) {
    throw validation(`expression's ${(error as Error).message}`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests so the comparison takes the same time whatever the header holds. */
function authorized(header: string | undefined, secretDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  return timingSafeEqual(digest(match ? match[1] : ''), secretDigest) && match !== null;
}

function validation(message: string): HttpError {
  return new HttpError(400, 'validation-failed', message);
}

function methodNotAllowed(allowed: string): HttpError {
  return new HttpError(405, 'method-not-allowed', `This route only answers ${allowed}.`);
}

function sendError(response: http.ServerResponse, status: number, code: string, message: string, reason?: string): void {
  sendJson(response, status, { error: message, code, ...(reason ? { reason } : {}) } satisfies RendererError);
}
