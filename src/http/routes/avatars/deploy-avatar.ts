import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { deployAvatar, undeployAvatar } from '../../../domain/avatars/deploy-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { Avatar, AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';

export function deployAvatarRoute(app: FastifyInstance, services: Services) {
  app.post<{ Params: AvatarIdParams }>(
    '/avatars/:id/deploy',
    {
      schema: {
        summary: "Start the avatar's rendering container (Tier 2/3); renderingEndpoint is set once it is healthy",
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        response: { 202: componentRef(Avatar), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await deployAvatar(ctxOf(request, services), request.params.id)),
  );
}

export function undeployAvatarRoute(app: FastifyInstance, services: Services) {
  app.post<{ Params: AvatarIdParams }>(
    '/avatars/:id/undeploy',
    {
      schema: {
        summary: "Stop the avatar's rendering container; renderingEndpoint goes back to null",
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        response: { 202: componentRef(Avatar), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await undeployAvatar(ctxOf(request, services), request.params.id)),
  );
}
