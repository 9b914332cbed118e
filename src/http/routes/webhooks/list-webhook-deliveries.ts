import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { listWebhookDeliveries } from '../../../domain/webhooks/list-webhook-deliveries.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { PageQuery, WebhookDelivery, WebhookIdParams } from '../../schemas/webhook-schemas.ts';

export function listWebhookDeliveriesRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: WebhookIdParams; Querystring: PageQuery }>(
    '/webhooks/:id/deliveries',
    {
      schema: {
        summary: "A webhook endpoint's delivery log, newest first: each event, its attempts, status and next attempt",
        tags: ['webhooks'],
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        querystring: PageQuery,
        response: {
          200: Type.Object({ deliveries: Type.Array(WebhookDelivery), count: Type.Integer() }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) =>
      listWebhookDeliveries(ctxOf(request, services), request.params.id, {
        limit: request.query.limit ?? 50,
        offset: request.query.offset ?? 0,
      }),
  );
}
