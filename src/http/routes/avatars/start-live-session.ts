import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { startLiveSession } from '../../../domain/sessions/start-live-session.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';

export function startLiveSessionRoute(app: FastifyInstance, services: Services) {
  app.post<{ Params: AvatarIdParams }>(
    '/avatars/:id/sessions',
    {
      schema: {
        summary: 'Start a live session with a realtime_lipsync avatar (deploying an on-demand avatar first)',
        description:
          'The agent streams speech to the WebSocket `url` (add `?token=<token>`: the agent token, the only one that speaks); ' +
          'viewers POST an SDP offer to `whepUrl` with `Authorization: Bearer <viewerToken>` (WHEP). Share only the viewer ' +
          'token. See docs/live-sessions.md for the protocol.',
        tags: ['sessions'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        response: {
          201: Type.Object({
            sessionId: Type.String(),
            token: Type.String({ description: 'The agent token: speaks on `url` (and may watch). Keep it with the agent.' }),
            viewerToken: Type.String({ description: 'The viewer token: watches over `whepUrl`, never speaks. Safe to share.' }),
            expiresAt: Type.String({ format: 'date-time' }),
            url: Type.String(),
            whepUrl: Type.String(),
          }),
          ...errorResponses(404, 409, 503),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await startLiveSession(ctxOf(request, services), request.params.id)),
  );
}
