import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listAvatars } from '../../../domain/avatars/list-avatars.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarSummary, ListAvatarsQuery } from '../../schemas/avatar-schemas.ts';
import { componentRef, errorResponses, NextCursor } from '../../schemas/common-schemas.ts';

export function listAvatarsRoute(app: FastifyInstance, services: Services) {
  app.get<{ Querystring: ListAvatarsQuery }>(
    '/avatars',
    {
      schema: {
        summary: "List the avatars the caller may see (its organization's, or without one its own), newest first",
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        querystring: ListAvatarsQuery,
        response: {
          200: Type.Object({ avatars: Type.Array(componentRef(AvatarSummary)), count: Type.Integer(), nextCursor: NextCursor }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => listAvatars(ctxOf(request, services), request.query),
  );
}
