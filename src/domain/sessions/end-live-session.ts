import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { RendererUnavailable } from '../../renderer-client/renderer-errors.ts';
import { type Ctx, requireScope } from '../context.ts';
import { findVisibleSession } from './live-session-access.ts';
import { writeSessionEnd } from './write-session-end.ts';

/**
 * Ends a live session at once: its container drops it (viewers, agent, LiveKit room), and its tokens open nothing
 * more. Ending an ended session changes nothing. A container that cannot be reached is taken to have lost it.
 */
export async function endLiveSession(ctx: Ctx, sessionId: string): Promise<void> {
  requireScope(ctx, 'avatars:write');
  const session = await findVisibleSession(ctx, sessionId);
  if (session.endedAt) return;
  const { store } = ctx.services;
  const deployment = await store.deployments.find(session.avatarId);
  let metrics = session.metrics;
  if (deployment?.state === 'running' && deployment.endpoint) {
    const renderer = new RendererClient(deployment.endpoint, deployment.secret);
    try {
      // Its last figures first, so the ended session still shows them.
      metrics = (await renderer.sessionStatus(session.id))?.metrics ?? metrics;
      await renderer.endSession(session.id);
    } catch (error) {
      if (!(error instanceof RendererUnavailable)) throw error;
    }
  }
  const endedAt = new Date().toISOString();
  await writeSessionEnd(ctx.services, session, { endedAt, endReason: 'deleted', metrics });
}
