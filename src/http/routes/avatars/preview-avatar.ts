import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { previewAvatar } from '../../../domain/avatars/preview-avatar.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { OPTIONAL_BODY } from '../../plugins/openapi.ts';
import { AvatarIdParams, PreviewAvatarBody } from '../../schemas/avatar-schemas.ts';
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
  app.post<{ Params: AvatarIdParams; Body: PreviewAvatarBody }>(
    '/avatars/:id/preview',
    {
      // No body at all (the seed's call) is a preview with the neutral face: the schema then checks an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Generate a preview: Tier 1 answers the VRM URL; Tier 2/3 render a clip in the rendering container',
        tags: ['avatars'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        body: PreviewAvatarBody,
        [OPTIONAL_BODY]: true,
        response: { 200: Preview, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => previewAvatar(ctxOf(request, services), request.params.id, request.body),
  );
}
