import type { SessionMetricsSnapshot } from '../../../contract/live-sessions.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { RendererUnavailable } from '../../renderer-client/renderer-errors.ts';
import type { LiveSessionRecord } from '../../store/live-sessions.ts';
import type { Services } from '../context.ts';
import { writeSessionEnd } from './write-session-end.ts';

/** A session as the API reports it: its record, brought up to date with what its container says. */
export interface ObservedSession {
  record: LiveSessionRecord;
  /** Live figures from the container; for an ended session, the last ones known. */
  metrics: SessionMetricsSnapshot | null;
}

/**
 * Asks the session's container how it is, and writes down an end the API had not heard of: the container ended it
 * (and says why), or the container no longer runs or knows it (`renderer-gone`). A container that does not answer in
 * time leaves the record as it was, with no live figures.
 */
export async function observeSession(services: Services, record: LiveSessionRecord): Promise<ObservedSession> {
  if (record.endedAt) return { record, metrics: record.metrics };
  const deployment = await services.store.deployments.find(record.avatarId);
  let status: Awaited<ReturnType<RendererClient['sessionStatus']>>;
  if (deployment?.state !== 'running' || !deployment.endpoint) status = null;
  else {
    try {
      status = await new RendererClient(deployment.endpoint, deployment.secret).sessionStatus(record.id);
    } catch (error) {
      if (error instanceof RendererUnavailable) return { record, metrics: null };
      throw error;
    }
  }
  if (status?.state === 'active') return { record, metrics: status.metrics };
  const ended =
    status === null
      ? { endedAt: new Date().toISOString(), endReason: 'renderer-gone' as const, metrics: record.metrics }
      : { endedAt: status.endedAt, endReason: status.endReason, metrics: status.metrics };
  await writeSessionEnd(services, record, ended);
  return { record: { ...record, ...ended }, metrics: ended.metrics };
}

/** The session object of GET /sessions/:id and of an avatar's list (docs/live-sessions.md). */
export function sessionObject({ record, metrics }: ObservedSession) {
  return {
    _id: record.id,
    avatarId: record.avatarId,
    transport: record.transport,
    state: record.endedAt ? ('ended' as const) : ('active' as const),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    endedAt: record.endedAt,
    endReason: record.endReason,
    participantIdentity: record.participantIdentity,
    metrics,
  };
}
