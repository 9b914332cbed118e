import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { getVideo } from '../../../domain/videos/get-video.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { Video, VideoIdParams } from '../../schemas/video-schemas.ts';

export function getVideoRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: VideoIdParams }>(
    '/videos/:id',
    {
      schema: {
        summary: 'Get a video job: queued, rendering (progress), completed (url, transparentUrl) or failed (error)',
        tags: ['videos'],
        security: [{ apiKey: [] }],
        params: VideoIdParams,
        response: { 200: Video, ...errorResponses(404) },
      },
    },
    async (request) => getVideo(ctxOf(request, services), request.params.id),
  );
}
