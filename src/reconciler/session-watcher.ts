import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import { observeSession } from '../domain/sessions/session-state.ts';
import type { LoopTask } from './control-loop.ts';

/** Sessions read per page, and asked about at once. */
const PAGE = 200;
const AT_ONCE = 8;

/**
 * A container ends sessions on its own (idle, the agent left, the time limit): every SESSION_WATCH_INTERVAL_MS the API
 * asks the containers about the sessions it holds as live, so such an end is written down and `session.ended` sent
 * when it happens, not when someone next reads the session. Replicas may ask about the same session: the end is
 * written (and announced) once.
 */
export function createSessionWatcher(services: Services, log: FastifyBaseLogger): LoopTask {
  let lastPass = 0;
  return {
    name: 'session-watch',
    async runOnce() {
      if (Date.now() - lastPass < services.config.sessions.watchIntervalMs) return 0;
      lastPass = Date.now();
      let afterId: string | null = null;
      for (;;) {
        const open = await services.store.liveSessions.listOpen(PAGE, afterId);
        for (let i = 0; i < open.length; i += AT_ONCE) {
          await Promise.all(
            open
              .slice(i, i + AT_ONCE)
              .map((record) =>
                observeSession(services, record).catch((error: unknown) =>
                  log.warn({ err: error, sessionId: record.id }, 'could not ask the container about a live session'),
                ),
              ),
          );
        }
        if (open.length < PAGE) return 0;
        afterId = open[open.length - 1].id;
      }
    },
  };
}
