import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listWebhookDeliveries } from '../../../domain/webhooks/list-webhook-deliveries.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses, NextCursor } from '../../schemas/common-schemas.ts';
import { ListDeliveriesQuery, WebhookDelivery, WebhookIdParams } from '../../schemas/webhook-schemas.ts';

export function listWebhookDeliveriesRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: WebhookIdParams; Querystring: ListDeliveriesQuery }>(
    '/webhooks/:id/deliveries',
    {
      schema: {
        summary: "A webhook endpoint's delivery log, newest first: each event, its attempts, status and next attempt",
        tags: ['webhooks'],
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        querystring: ListDeliveriesQuery,
        response: {
          200: Type.Object({ deliveries: Type.Array(WebhookDelivery), count: Type.Integer(), nextCursor: NextCursor }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => listWebhookDeliveries(ctxOf(request, services), request.params.id, request.query),
  );
}
