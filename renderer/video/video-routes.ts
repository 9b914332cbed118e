import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { RENDERER_VIDEO_PATHS } from '../../contract/videos.ts';
import type { PortraitAnimator } from '../engine/portrait-animator.ts';
import { HttpError, readBody, sendJson } from '../http-basics.ts';
import type { VideoConfig } from './video-config.ts';
import { VideoJobs } from './video-jobs.ts';
import { maxVideoBodyBytes, parseVideoRequest } from './video-request.ts';

export interface VideoRoutes {
  jobs: VideoJobs;
  /** Answers a request under /videos (the caller has checked the renderer's secret). */
  handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void>;
  close(): void;
}

/** The container's video routes (contract/videos.ts RENDERER_VIDEO_PATHS). */
export function createVideoRoutes(options: { config: VideoConfig; animator: () => PortraitAnimator | null }): VideoRoutes {
  const jobs = new VideoJobs(options.config);
  const bodyLimit = maxVideoBodyBytes(options.config.maxSeconds);
  const prefix = `${RENDERER_VIDEO_PATHS.videos}/`;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    if (url.pathname === RENDERER_VIDEO_PATHS.videos) {
      if (request.method !== 'POST') throw methodNotAllowed('POST');
      const video = parseVideoRequest(await readBody(request, bodyLimit), options.config.maxSeconds);
      const animator = options.animator();
      if (!animator) throw new HttpError(503, 'service-unavailable', 'The portrait is still loading; try again shortly.');
      const started = jobs.start(video, animator);
      if (started === 'busy') {
        throw new HttpError(503, 'busy', `This renderer holds ${options.config.maxJobs} renders already; try again later.`);
      }
      return sendJson(response, started.created ? 202 : 200, started.status);
    }
    const [encodedId, rest, ...more] = url.pathname.slice(prefix.length).split('/');
    let jobId: string;
    try {
      jobId = decodeURIComponent(encodedId ?? '');
    } catch {
      throw notFound();
    }
    if (more.length > 0 || jobId === '' || (rest !== undefined && rest !== 'mp4')) {
      throw new HttpError(404, 'not-found', 'There is no such route on the renderer.');
    }
    if (rest === 'mp4') {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw methodNotAllowed('GET');
      const found = jobs.file(jobId);
      if (!found) throw notFound();
      if ('status' in found) {
        const { state, error } = found.status;
        throw new HttpError(
          409,
          state === 'failed' ? 'video-failed' : 'video-not-ready',
          state === 'failed' ? `The render failed: ${error}` : 'The video is still rendering.',
        );
      }
      return sendFile(request, response, found.path);
    }
    if (request.method === 'GET') {
      const status = jobs.status(jobId);
      if (!status) throw notFound();
      return sendJson(response, 200, status);
    }
    if (request.method === 'DELETE') {
      // 404 for a job it does not hold, as GET: the API learns the container restarted or dropped it already.
      if (!(await jobs.drop(jobId))) throw notFound();
      response.writeHead(204).end();
      return;
    }
    throw methodNotAllowed('GET, DELETE');
  }

  return { jobs, handle, close: () => jobs.close() };
}

async function sendFile(request: http.IncomingMessage, response: http.ServerResponse, file: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw notFound(); // dropped between the lookup and now
  }
  response.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': size, 'Cache-Control': 'no-store' });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(createReadStream(file), response).catch(() => response.destroy());
}

function notFound(): HttpError {
  return new HttpError(404, 'not-found', 'This renderer holds no video with that job id.');
}

function methodNotAllowed(allowed: string): HttpError {
  return new HttpError(405, 'method-not-allowed', `This route only answers ${allowed}.`);
}
