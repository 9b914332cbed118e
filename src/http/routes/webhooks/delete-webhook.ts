import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { deleteWebhook } from '../../../domain/webhooks/delete-webhook.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { WebhookIdParams } from '../../schemas/webhook-schemas.ts';

export function deleteWebhookRoute(app: FastifyInstance, services: Services) {
  app.delete<{ Params: WebhookIdParams }>(
    '/webhooks/:id',
    {
      schema: {
        summary: 'Remove a webhook endpoint and its delivery log; nothing more is sent to it',
        tags: ['webhooks'],
        security: [{ apiKey: [] }],
        params: WebhookIdParams,
        response: { 204: Type.Null({ description: 'removed' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await deleteWebhook(ctxOf(request, services), request.params.id);
      return reply.code(204).send();
    },
  );
}
