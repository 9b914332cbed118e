import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { type ExpressionRights, openExpressionRights, setSessionExpression } from '../../../domain/sessions/set-session-expression.ts';
import { bearerToken, openToAnyOrigin } from '../../plugins/auth.ts';
import { errorBodies } from '../../schemas/common-schemas.ts';
import { expressionSchema } from '../../schemas/expression-schema.ts';
import { SessionIdParams } from '../../schemas/session-schemas.ts';
import type { ExpressionRequest } from '../../../../contract/expressions.ts';

/** The emotion a live session's face shows, set by a page with the agent token (the web SDK's setExpression on a portrait). */
export async function setSessionExpressionRoute(app: FastifyInstance, services: Services) {
  // The token is checked before the body is read: without it, a caller gets 401 whatever it sends.
  const rights = new WeakMap<FastifyRequest, ExpressionRights>();
  await app.register(async (scope) => {
    openToAnyOrigin(scope, { '/api/v1/sessions/:id/expression': 'POST' });
    scope.post<{ Params: SessionIdParams; Body: ExpressionRequest }>(
      '/api/v1/sessions/:id/expression',
      {
        preParsing: async (request) => {
          rights.set(request, await openExpressionRights(services, request.params.id, bearerToken(request)));
        },
        schema: {
          summary: "Set the emotion a live session's face shows, as the agent's `expression` message does",
          description:
            'Authorization: Bearer <token> (the agent token; the viewer token is 403). The face eases into it over 250 ms and ' +
            'holds it until the next one; `neutral` clears it. See docs/live-sessions.md.',
          tags: ['sessions'],
          params: SessionIdParams,
          body: expressionSchema('the emotion, and how strongly it shows'),
          response: { 204: { description: 'The face shows it', type: 'null' }, ...errorBodies(400, 401, 403, 503) },
        },
      },
      async (request, reply) => {
        const answer = await setSessionExpression(rights.get(request)!, request.body);
        return reply.code(answer.status).type(answer.contentType).send(answer.body);
      },
    );
  });
}
