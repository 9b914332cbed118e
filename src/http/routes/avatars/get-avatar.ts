import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { getAvatar } from '../../../domain/avatars/get-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { Avatar, AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';

export function getAvatarRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: AvatarIdParams }>(
    '/avatars/:id',
    {
      config: { readsAvatarAhead: true },
      schema: {
        summary: 'Get a single avatar by ID',
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        response: { 200: componentRef(Avatar), ...errorResponses(404) },
      },
    },
    async (request) => getAvatar(ctxOf(request, services), request.params.id, request.avatarReadAhead),
  );
}
