import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { deleteVideo } from '../../../domain/videos/delete-video.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { VideoIdParams } from '../../schemas/video-schemas.ts';

export function deleteVideoRoute(app: FastifyInstance, services: Services) {
  app.delete<{ Params: VideoIdParams }>(
    '/videos/:id',
    {
      schema: {
        summary: 'Cancel a queued or rendering video job, or remove a finished video and its files',
        tags: ['videos'],
        security: [{ apiKey: [] }],
        params: VideoIdParams,
        response: { 204: Type.Null({ description: 'cancelled or removed' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await deleteVideo(ctxOf(request, services), request.params.id);
      return reply.code(204).send();
    },
  );
}
