import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { createApiKey } from '../../../domain/keys/api-key-verbs.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';
import { ApiKey, CreateKeyBody } from './key-schemas.ts';

export function createApiKeyRoute(app: FastifyInstance, services: Services) {
  app.post<{ Body: CreateKeyBody }>(
    '/auth/api-keys',
    {
      schema: {
        summary: "Create an API key in the caller's organization; the secret `key` is shown only here",
        tags: ['auth'],
        security: [{ apiKey: [] }],
        body: CreateKeyBody,
        response: { 201: Type.Intersect([componentRef(ApiKey), Type.Object({ key: Type.String() })]), ...errorResponses(400) },
      },
    },
    async (request, reply) => reply.code(201).send(await createApiKey(ctxOf(request, services), request.body)),
  );
}
