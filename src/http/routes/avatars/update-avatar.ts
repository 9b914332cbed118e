import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { updateAvatar } from '../../../domain/avatars/update-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { Avatar, AvatarIdParams, UpdateAvatarBody } from '../../schemas/avatar-schemas.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';

export function updateAvatarRoute(app: FastifyInstance, services: Services) {
  app.put<{ Params: AvatarIdParams; Body: UpdateAvatarBody }>(
    '/avatars/:id',
    {
      schema: {
        summary: 'Update an avatar: only name, description, config and resources (and orb fields, onDemand) change',
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        body: UpdateAvatarBody,
        response: { 200: componentRef(Avatar), ...errorResponses(400, 404, 413, 415) },
      },
    },
    async (request) => updateAvatar(ctxOf(request, services), request.params.id, request.body),
  );
}
