import type { Services } from '../context.ts';
import { sessionOfToken } from './open-live-session.ts';
import { observeSession } from './session-state.ts';

/**
 * What a session's viewers may know of it, asked with its own token (the viewer's or the agent's, as for WHEP):
 * whether it is on and, once it ended, why and when; nothing else (no metrics). Its container is asked, as for
 * GET /sessions/:id, so an end the API had not heard of shows at once. Unlike WHEP, an ended session's token still
 * reads this for as long as the session is kept (a day past its expiry): that is how a viewer learns why it ended.
 */
export async function getSessionStatus(services: Services, sessionId: string, token: string | undefined) {
  const { session } = await sessionOfToken(services, sessionId, token);
  const { record } = await observeSession(services, session);
  return {
    sessionId: record.id,
    state: record.endedAt ? ('ended' as const) : ('active' as const),
    endReason: record.endReason,
    endedAt: record.endedAt,
  };
}
