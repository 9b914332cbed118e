import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { getWebhook } from '../../../domain/webhooks/get-webhook.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { Webhook, WebhookIdParams } from '../../schemas/webhook-schemas.ts';

export function getWebhookRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: WebhookIdParams }>(
    '/webhooks/:id',
    {
      schema: {
        summary: 'One webhook endpoint (without its secret)',
        tags: ['webhooks'],
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        response: { 200: Webhook, ...errorResponses(404) },
      },
    },
    async (request) => getWebhook(ctxOf(request, services), request.params.id),
  );
}
