import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';
import { errorBodies } from '../../schemas/common-schemas.ts';
import { bearerToken, openToAnyOrigin } from '../../plugins/auth.ts';
import { openLiveSession } from '../../../domain/sessions/open-live-session.ts';
import { RendererClient, type RelayedAnswer } from '../../../renderer-client/renderer-client.ts';
// The renderer's own limit on an offer; also set as the route's bodyLimit, so a 413 names it.
import { MAX_OFFER_BYTES as MAX_SDP_BYTES } from '../../../../contract/live-sessions.ts';

const SDP = 'application/sdp';

/**
 * Viewers of a live session (WHEP): the offer goes to the container that holds the session, the
 * answer comes back with a `Location` on this API, so a viewer never needs the container's address.
 */
export async function whepProxyRoutes(app: FastifyInstance, services: Services) {
  await app.register(async (scope) => {
    scope.addContentTypeParser(SDP, { parseAs: 'string', bodyLimit: MAX_SDP_BYTES }, (_request, body, done) => done(null, body));
    scope.addContentTypeParser('*', (request, _payload, done) =>
      done(ERRORS.unsupportedMediaType(request.headers['content-type'], SDP), undefined),
    );
    openToAnyOrigin(scope, { '/api/v1/sessions/:id/whep': 'POST, DELETE', '/api/v1/sessions/:id/whep/:viewerId': 'DELETE' });

    const relay = (reply: FastifyReply, answer: RelayedAnswer) => reply.code(answer.status).type(answer.contentType).send(answer.body);

    // A session token, not an API key: 401 for a wrong one, 503 when the container holding the session is gone.
    const whepErrors = (...statuses: number[]) => errorBodies(401, 503, ...statuses);
    const whepDoc = {
      tags: ['sessions'],
      description: 'Authorization: Bearer <viewerToken> (the agent token is accepted too). See docs/live-sessions.md.',
    };
    scope.post<{ Params: { id: string } }>(
      '/api/v1/sessions/:id/whep',
      {
        bodyLimit: MAX_SDP_BYTES,
        schema: {
          ...whepDoc,
          summary: "WHEP: post a viewer's SDP offer (application/sdp), get the SDP answer (201, Location)",
          response: {
            201: {
              description: 'The SDP answer; `Location` is the viewer, to DELETE when it leaves',
              content: { 'application/sdp': { schema: { type: 'string' } } },
            },
            ...whepErrors(400, 413, 415, 429),
          },
        },
      },
      async (request, reply) => {
        const token = bearerToken(request);
        const { endpoint } = await openLiveSession(services, request.params.id, token);
        if (typeof request.body !== 'string') throw ERRORS.unsupportedMediaType(request.headers['content-type'], SDP);
        const answer = await new RendererClient(endpoint).whepOffer(request.params.id, token!, request.body);
        if (answer.location) reply.header('location', `/api/v1${answer.location}`);
        return relay(reply, answer);
      },
    );

    scope.delete<{ Params: { id: string; viewerId: string } }>(
      '/api/v1/sessions/:id/whep/:viewerId',
      {
        schema: {
          ...whepDoc,
          summary: 'WHEP: end one viewer (the Location of its answer)',
          response: { 204: { description: 'The viewer is gone', type: 'null' }, ...whepErrors(404) },
        },
      },
      async (request, reply) => {
        const token = bearerToken(request);
        const { endpoint } = await openLiveSession(services, request.params.id, token);
        return relay(reply, await new RendererClient(endpoint).whepEnd(request.params.id, request.params.viewerId, token!));
      },
    );
  });
}
