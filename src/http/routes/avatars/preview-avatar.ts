import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { previewAvatar } from '../../../domain/avatars/preview-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';

const Preview = Type.Object({
  avatarId: Type.String(),
  previewUrl: Type.Union([Type.String(), Type.Null()]),
  tier: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  status: Type.Optional(Type.Literal('completed')),
  renderStyle: Type.Optional(Type.String()),
  orbColor: Type.Optional(Type.String()),
  orbSize: Type.Optional(Type.Number()),
});

export function previewAvatarRoute(app: FastifyInstance, services: Services) {
  app.post<{ Params: AvatarIdParams }>(
    '/avatars/:id/preview',
    {
      schema: {
        summary: 'Generate a preview: Tier 1 answers the VRM URL; Tier 2/3 render a clip in the rendering container',
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        response: { 200: Preview, ...errorResponses(404, 409, 503) },
      },
    },
    async (request) => previewAvatar(ctxOf(request, services), request.params.id),
  );
}
