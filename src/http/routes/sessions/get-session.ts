import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { getLiveSession } from '../../../domain/sessions/get-live-session.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { componentRef, errorResponses } from '../../schemas/common-schemas.ts';
import { LiveSession, SessionIdParams } from '../../schemas/session-schemas.ts';

export function getSessionRoute(app: FastifyInstance, services: Services) {
  app.get<{ Params: SessionIdParams }>(
    '/sessions/:id',
    {
      schema: {
        summary: 'Get a live session: its transport, whether it is active, why it ended, and its live metrics',
        tags: ['sessions'],
        security: [{ apiKey: [] }],
        params: SessionIdParams,
        response: { 200: componentRef(LiveSession), ...errorResponses(404) },
      },
    },
    async (request) => getLiveSession(ctxOf(request, services), request.params.id),
  );
}
