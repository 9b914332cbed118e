import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { revokeApiKey } from '../../../domain/keys/api-key-verbs.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';
import { ApiKey, KeyIdParams } from './key-schemas.ts';

export function revokeApiKeyRoute(app: FastifyInstance, services: Services) {
  app.delete<{ Params: KeyIdParams }>(
    '/auth/api-keys/:id',
    {
      schema: {
        summary: 'Revoke an API key; it is refused from the next request on',
        tags: ['auth'],
        security: [{ apiKey: [] }],
        params: KeyIdParams,
        response: { 200: componentRef(ApiKey), ...errorResponses(404) },
      },
    },
    async (request) => revokeApiKey(ctxOf(request, services), request.params.id),
  );
}
