import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listWebhooks } from '../../../domain/webhooks/list-webhooks.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses, NextCursor } from '../../schemas/common-schemas.ts';
import { ListWebhooksQuery, Webhook } from '../../schemas/webhook-schemas.ts';

export function listWebhooksRoute(app: FastifyInstance, services: Services) {
  app.get<{ Querystring: ListWebhooksQuery }>(
    '/webhooks',
    {
      schema: {
        summary: "List the caller's organization's webhook endpoints, newest first (without secrets)",
        tags: ['webhooks'],
        security: [{ apiKey: [] }],
        querystring: ListWebhooksQuery,
        response: {
          200: Type.Object({ webhooks: Type.Array(Webhook), count: Type.Integer(), nextCursor: NextCursor }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => listWebhooks(ctxOf(request, services), request.query),
  );
}
