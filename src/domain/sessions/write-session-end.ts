import type { SessionEndReason } from '../../../contract/live-sessions.ts';
import type { LiveSessionRecord } from '../../store/live-sessions.ts';
import type { Services } from '../context.ts';
import { sessionEnded } from '../webhooks/lifecycle-events.ts';
import { withEvents } from '../webhooks/with-events.ts';

/**
 * Writes a live session's end (whoever ended it) and its session.ended in one transaction; answers whether this call
 * ended it (a session already ended is left as it was, and announced once).
 */
export function writeSessionEnd(
  services: Services,
  session: { id: string; avatarId: string },
  ended: { endedAt: string; endReason: SessionEndReason | null; metrics?: LiveSessionRecord['metrics'] },
): Promise<boolean> {
  return withEvents(services, async (tx) => {
    if (!(await tx.store.liveSessions.update(session.id, ended))) return false;
    await sessionEnded(tx, session, ended);
    return true;
  });
}
