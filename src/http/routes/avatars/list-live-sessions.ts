import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listLiveSessions } from '../../../domain/sessions/list-live-sessions.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { componentRef, errorResponses, NextCursor } from '../../schemas/common-schemas.ts';
import { ListLiveSessionsQuery, LiveSession } from '../../schemas/session-schemas.ts';

export function listLiveSessionsRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: AvatarIdParams; Querystring: ListLiveSessionsQuery }>(
    '/avatars/:id/sessions',
    {
      schema: {
        summary: "List an avatar's live sessions, newest first (each kept a day past its expiry)",
        tags: ['sessions'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        querystring: ListLiveSessionsQuery,
        response: {
          200: Type.Object({ sessions: Type.Array(componentRef(LiveSession)), count: Type.Integer(), nextCursor: NextCursor }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => listLiveSessions(ctxOf(request, services), request.params.id, request.query),
  );
}
