import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listApiKeys } from '../../../domain/keys/api-key-verbs.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { componentRef, errorResponses, NextCursor } from '../../schemas/common-schemas.ts';
import { ApiKey, ListKeysQuery } from './key-schemas.ts';

export function listApiKeysRoute(app: FastifyInstance, services: Services) {
  app.get<{ Querystring: ListKeysQuery }>(
    '/auth/api-keys',
    {
      schema: {
        summary: "List the API keys of the caller's organization (without secrets), newest first",
        tags: ['auth'],
        security: [{ apiKey: [] }],
        querystring: ListKeysQuery,
        response: {
          200: Type.Object({ keys: Type.Array(componentRef(ApiKey)), count: Type.Integer(), nextCursor: NextCursor }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => listApiKeys(ctxOf(request, services), request.query),
  );
}
