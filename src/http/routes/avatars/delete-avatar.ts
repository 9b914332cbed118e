import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { deleteAvatar } from '../../../domain/avatars/delete-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';

export function deleteAvatarRoute(app: FastifyInstance, services: Services) {
  app.delete<{ Params: AvatarIdParams }>(
    '/avatars/:id',
    {
      schema: {
        summary: 'Delete an avatar, its stored files and its rendering container',
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        response: { 200: Type.Object({ _id: Type.String() }), ...errorResponses(404) },
      },
    },
    async (request) => deleteAvatar(ctxOf(request, services), request.params.id),
  );
}
