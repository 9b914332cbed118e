import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { getSessionStatus } from '../../../domain/sessions/get-session-status.ts';
import { bearerToken, openToAnyOrigin } from '../../plugins/auth.ts';
import { componentRef, errorBodies } from '../../schemas/common-schemas.ts';
import { LiveSessionStatus, SessionIdParams } from '../../schemas/session-schemas.ts';

/**
 * A live session's state for its viewers, with the session's token as for WHEP (CORS open): a viewer whose video
 * stopped asks it to learn whether the session ended, and why.
 */
export async function getSessionStatusRoute(app: FastifyInstance, services: Services) {
  await app.register(async (scope) => {
    openToAnyOrigin(scope, { '/api/v1/sessions/:id/status': 'GET' });
    scope.get<{ Params: SessionIdParams }>(
      '/api/v1/sessions/:id/status',
      {
        schema: {
          summary: "A live session's state for its viewers: active, or ended and why (no metrics)",
          description:
            'Authorization: Bearer <viewerToken> (or the agent token), also once the session ended, while it is kept. ' +
            'A wrong token and an unknown session are the same 401. See docs/live-sessions.md.',
          tags: ['sessions'],
          params: SessionIdParams,
          response: { 200: componentRef(LiveSessionStatus), ...errorBodies(401) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return getSessionStatus(services, request.params.id, bearerToken(request));
      },
    );
  });
}
