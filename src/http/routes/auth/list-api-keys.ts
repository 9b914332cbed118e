import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listApiKeys } from '../../../domain/keys/api-key-verbs.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';
import { ApiKey } from './key-schemas.ts';

export function listApiKeysRoute(app: FastifyInstance, services: Services) {
  app.get(
    '/auth/api-keys',
    {
      schema: {
        summary: "List the API keys of the caller's organization (without secrets)",
        tags: ['auth'],
        security: [{ apiKey: [] }],
        response: { 200: Type.Object({ keys: Type.Array(componentRef(ApiKey)) }), ...errorResponses() },
      },
    },
    async (request) => listApiKeys(ctxOf(request, services)),
  );
}
