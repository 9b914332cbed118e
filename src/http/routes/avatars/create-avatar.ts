import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { createAvatar } from '../../../domain/avatars/create-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { Avatar, CreateAvatarBody } from '../../schemas/avatar-schemas.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';

export function createAvatarRoute(app: FastifyInstance, services: Services) {
  app.post<{ Body: CreateAvatarBody }>(
    '/avatars',
    {
      schema: {
        summary: 'Create a new avatar; default resources are derived from its tier',
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        body: CreateAvatarBody,
        response: { 201: componentRef(Avatar), ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createAvatar(ctxOf(request, services), request.body)),
  );
}
