import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { endLiveSession } from '../../../domain/sessions/end-live-session.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { SessionIdParams } from '../../schemas/session-schemas.ts';
import { Type } from '@sinclair/typebox';

export function endSessionRoute(app: FastifyInstance, services: Services) {
  app.delete<{ Params: SessionIdParams }>(
    '/sessions/:id',
    {
      schema: {
        summary:
          'End a live session at once: its viewers, its agent (or LiveKit room) and its tokens (ending an ended one changes nothing)',
        tags: ['sessions'],
        security: [{ apiKey: [] }],
        params: SessionIdParams,
        response: { 204: Type.Null({ description: 'ended' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await endLiveSession(ctxOf(request, services), request.params.id);
      return reply.code(204).send();
    },
  );
}
