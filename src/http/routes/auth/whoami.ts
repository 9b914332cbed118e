import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { whoami } from '../../../domain/keys/api-key-verbs.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { Scope } from './key-schemas.ts';

export function whoamiRoute(app: FastifyInstance, services: Services) {
  app.get(
    '/auth/whoami',
    {
      schema: {
        summary: 'The caller: key id, user, organization and scopes',
        tags: ['auth'],
        security: [{ apiKey: [] }],
        response: {
          200: Type.Object({
            keyId: Type.String(),
            userId: Type.String(),
            organizationId: Type.Union([Type.String(), Type.Null()]),
            scopes: Type.Array(Scope),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => whoami(ctxOf(request, services)),
  );
}
