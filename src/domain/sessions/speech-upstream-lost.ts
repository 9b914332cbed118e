import type { SessionEndReason } from '../../../contract/live-sessions.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { RendererUnavailable } from '../../renderer-client/renderer-errors.ts';
import type { Services } from '../context.ts';
import { writeSessionEnd } from './write-session-end.ts';

/**
 * The container's side of an agent's speech socket went away without a close. Asks the container whether the session
 * lives: it does (the link broke, not the container): null, the agent connects again. It does not, or the container
 * does not answer (it crashed): the session is written down as ended (`renderer-failed`, or the container's own
 * reason when it ended it) and that reason is returned.
 */
export async function speechUpstreamLost(services: Services, sessionId: string): Promise<SessionEndReason | null> {
  const { store } = services;
  const record = await store.liveSessions.find(sessionId);
  if (!record || record.endedAt) return record?.endReason ?? 'renderer-gone';
  const deployment = await store.deployments.find(record.avatarId);
  let status: Awaited<ReturnType<RendererClient['sessionStatus']>> = null;
  if (deployment?.endpoint) {
    try {
      status = await new RendererClient(deployment.endpoint, deployment.secret).sessionStatus(sessionId);
    } catch (error) {
      if (!(error instanceof RendererUnavailable)) throw error;
    }
  }
  if (status?.state === 'active') return null;
  const ended =
    status?.state === 'ended'
      ? { endedAt: status.endedAt, endReason: status.endReason, metrics: status.metrics }
      : { endedAt: new Date().toISOString(), endReason: 'renderer-failed' as const, metrics: record.metrics };
  await writeSessionEnd(services, record, ended);
  return ended.endReason;
}
