import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { startLiveSession } from '../../../domain/sessions/start-live-session.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { OPTIONAL_BODY } from '../../plugins/openapi.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { StartLiveSessionBody } from '../../schemas/session-schemas.ts';

export function startLiveSessionRoute(app: FastifyInstance, services: Services) {
  app.post<{ Params: AvatarIdParams; Body: StartLiveSessionBody }>(
    '/avatars/:id/sessions',
    {
      // No body at all (as before transports) is a WHEP session: the schema then checks an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Start a live session with a realtime_lipsync avatar (deploying an on-demand avatar first)',
        description:
          'The agent streams speech to the WebSocket `url` (add `?token=<token>`: the agent token, the only one that speaks); ' +
          'viewers POST an SDP offer to `whepUrl` with `Authorization: Bearer <viewerToken>` (WHEP). Share only the viewer ' +
          'token. With `"transport": "livekit"` the avatar joins the LiveKit room of `livekit.token` instead and hears the ' +
          "agent's `lk.audio_stream` there (docs/livekit.md); the answer comes once it has joined. See docs/live-sessions.md for the protocol.",
        tags: ['sessions'],
        security: [{ apiKey: [] }],
        params: AvatarIdParams,
        body: StartLiveSessionBody,
        [OPTIONAL_BODY]: true,
        response: {
          201: Type.Object({
            sessionId: Type.String(),
            transport: Type.Union([Type.Literal('whep'), Type.Literal('livekit')]),
            participantIdentity: Type.Union([Type.String(), Type.Null()], {
              description: "a LiveKit session's avatar participant, in the room once this answers",
            }),
            token: Type.String({ description: 'The agent token: speaks on `url` (and may watch). Keep it with the agent.' }),
            viewerToken: Type.String({ description: 'The viewer token: watches over `whepUrl`, never speaks. Safe to share.' }),
            expiresAt: Type.String({ format: 'date-time' }),
            url: Type.String(),
            whepUrl: Type.String(),
          }),
          ...errorResponses(400, 404, 409, 502, 503),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await startLiveSession(ctxOf(request, services), request.params.id, request.body)),
  );
}
