import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { createWebhook } from '../../../domain/webhooks/create-webhook.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { CreatedWebhook, CreateWebhookBody } from '../../schemas/webhook-schemas.ts';

export function createWebhookRoute(app: FastifyInstance, services: Services) {
  app.post<{ Body: CreateWebhookBody }>(
    '/webhooks',
    {
      schema: {
        summary: 'Subscribe a URL to events; the signing `secret` is shown only here',
        tags: ['webhooks'],
        security: [{ apiKey: [] }],
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await createWebhook(ctxOf(request, services), request.body)),
  );
}
