import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listVideos } from '../../../domain/videos/list-videos.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses, NextCursor } from '../../schemas/common-schemas.ts';
import { ListVideosQuery, Video } from '../../schemas/video-schemas.ts';

export function listVideosRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: AvatarIdParams; Querystring: ListVideosQuery }>(
    '/avatars/:id/videos',
    {
      schema: {
        summary: "List an avatar's video jobs, newest first",
        tags: ['videos'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        querystring: ListVideosQuery,
        response: {
          200: Type.Object({ videos: Type.Array(Video), count: Type.Integer(), nextCursor: NextCursor }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => listVideos(ctxOf(request, services), request.params.id, request.query),
  );
}
