import type { ExpressionRequest } from '../../../contract/expressions.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import type { Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { openLiveSession } from './open-live-session.ts';

/** A live session whose agent token was given: where its container is. */
export interface ExpressionRights {
  sessionId: string;
  token: string;
  endpoint: string;
}

/**
 * Checks that `token` is the agent token of a live session (a wrong one, or an ended session: 401; the viewer token,
 * which only watches: 403), before the request's body is read, so a caller without the token learns nothing from it.
 */
export async function openExpressionRights(services: Services, sessionId: string, token: string | undefined): Promise<ExpressionRights> {
  const { role, endpoint } = await openLiveSession(services, sessionId, token);
  if (role !== 'agent')
    throw new ApiError(403, 'forbidden', 'The viewer token only watches; setting the expression needs the agent token.');
  return { sessionId, token: token!, endpoint };
}

/**
 * Sets the emotion a live session's face shows: what the agent's `expression` message does, for a page that holds the
 * agent token but not the speech socket (the web SDK's setExpression on a portrait). The container's answer is relayed (204).
 */
export function setSessionExpression(rights: ExpressionRights, expression: ExpressionRequest) {
  return new RendererClient(rights.endpoint).setExpression(rights.sessionId, rights.token, expression);
}
