import type { DeploymentChanges, DeploymentRecord } from '../../store/deployments.ts';
import type { RendererStatus } from '../../orchestrators/orchestrator.ts';
import type { DeploymentState, OnDemand } from '../../model/avatar-fields.ts';

/**
 * The life of one avatar's rendering container, as pure steps: each takes the deployment as stored
 * and the time, and answers what to write. The deploy verbs (the owner's intent), the reconciler
 * (what the orchestrator reports) and live sessions (waiting for a start) go through these, so the
 * rules for `desired`, `state`, `since`, `restarts`, `lastError` and the backoff live here only.
 *
 *   stopped --requestRun--> starting --observe(running)--> running
 *      ^                       |  ^                           |
 *      |                observe(failed)   restart             | requestStop -> stopping --stopped--> stopped
 *      |                       v  |                           | scaleToZero (idle on-demand) -> stopped
 *      +-------------------- failed (backoff) <---------------+
 *
 * `desired` is only ever the owner's word. An idle on-demand avatar that the reconciler stops keeps
 * `desired: running` and carries `scaledToZeroAt`; the next deploy (a live session's, or the owner's)
 * clears it.
 */

export const MAX_BACKOFF_MS = 60_000;

/** Written when the avatar lost its preprocessed portrait while it should run. */
export const NO_PORTRAIT_ERROR = 'The avatar has no preprocessed portrait; upload a photo first.';

const DEFAULT_AUTO_SHUTDOWN_MINUTES = 5;

/** A state change moves `since`; the same state keeps it. */
function moveTo(deployment: DeploymentRecord, state: DeploymentState, now: Date, changes: DeploymentChanges = {}): DeploymentChanges {
  return { ...changes, state, ...(state !== deployment.state ? { since: now.toISOString() } : {}) };
}

/** The record after a step, for a caller that keeps going with it. */
export function withChanges(deployment: DeploymentRecord, changes: DeploymentChanges): DeploymentRecord {
  return { ...deployment, ...changes };
}

/** The first deploy of an avatar: the row the reconciler will start from. */
export function firstDeployment(avatarId: string, secret: string, now: Date): DeploymentRecord {
  const at = now.toISOString();
  return {
    avatarId,
    desired: 'running',
    state: 'starting',
    since: at,
    restarts: 0,
    lastError: null,
    endpoint: null,
    secret,
    lastUsedAt: at,
    nextAttemptAt: null,
    scaledToZeroAt: null,
  };
}

/**
 * The owner (or a live session of an on-demand avatar) asks for the container to run. From stopped,
 * failed or scaled to zero it is a fresh start: the restart count and backoff begin again. A deploy
 * of one that already runs or starts only counts as use.
 */
export function requestRun(deployment: DeploymentRecord, now: Date): DeploymentChanges {
  const at = now.toISOString();
  const fresh =
    deployment.desired !== 'running' || isScaledToZero(deployment) || deployment.state === 'failed' || deployment.state === 'stopped';
  if (!fresh) return { lastUsedAt: at };
  return {
    ...moveTo(deployment, deployment.state === 'running' ? 'running' : 'starting', now),
    desired: 'running',
    scaledToZeroAt: null,
    restarts: 0,
    nextAttemptAt: null,
    lastError: null,
    lastUsedAt: at,
  };
}

/** The owner asks for the container to stop; nothing to write when that is already what they asked. */
export function requestStop(deployment: DeploymentRecord, now: Date): DeploymentChanges {
  if (deployment.desired === 'stopped') return {};
  return {
    ...moveTo(deployment, deployment.state === 'stopped' ? 'stopped' : 'stopping', now),
    desired: 'stopped',
    scaledToZeroAt: null,
    endpoint: null,
  };
}

/** Whether the container should run now: the owner wants it and it was not scaled to zero. */
export function wantsToRun(deployment: DeploymentRecord): boolean {
  return deployment.desired === 'running' && !isScaledToZero(deployment);
}

export function isScaledToZero(deployment: DeploymentRecord): boolean {
  return !!deployment.scaledToZeroAt;
}

/** Running with an endpoint to call: what previews and live sessions need. */
export function isServing(deployment: DeploymentRecord | null): deployment is DeploymentRecord & { endpoint: string } {
  return deployment?.state === 'running' && !!deployment.endpoint;
}

/** An on-demand avatar's container that has run unused past its `autoShutdownMinutes`. */
export function isIdle(deployment: DeploymentRecord, onDemand: Partial<OnDemand> | null, now: Date): boolean {
  if (onDemand?.schedulingMode !== 'on_demand' || deployment.state !== 'running') return false;
  const idleMs = now.getTime() - Date.parse(deployment.lastUsedAt);
  return idleMs >= (onDemand.autoShutdownMinutes ?? DEFAULT_AUTO_SHUTDOWN_MINUTES) * 60_000;
}

/** The reconciler stopped an idle on-demand container; the owner's `desired` is left as it was. */
export function scaleToZero(deployment: DeploymentRecord, now: Date): DeploymentChanges {
  return moveTo(deployment, 'stopped', now, { scaledToZeroAt: now.toISOString(), endpoint: null, lastError: null });
}

/** The reconciler removed the container the owner no longer wants. */
export function stopped(deployment: DeploymentRecord, now: Date): DeploymentChanges {
  return moveTo(deployment, 'stopped', now, { endpoint: null, lastError: null });
}

/** The container cannot start: the avatar has no preprocessed portrait. */
export function missingPortrait(deployment: DeploymentRecord, now: Date): DeploymentChanges {
  return moveTo(deployment, 'failed', now, { lastError: NO_PORTRAIT_ERROR, endpoint: null });
}

/** 1 s, 2 s, 4 s ... up to a minute between attempts, by the restarts so far. */
export function backoffMs(restarts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(restarts, 16));
}

/** A crashed container waits until its backoff has passed before the next start. */
export function inBackoff(deployment: DeploymentRecord, now: Date): boolean {
  return !!deployment.nextAttemptAt && Date.parse(deployment.nextAttemptAt) > now.getTime();
}

/** Crashed, and still in backoff: failed, with the crash's error, until the next attempt. */
export function awaitRestart(deployment: DeploymentRecord, crashError: string | null, now: Date): DeploymentChanges {
  return moveTo(deployment, 'failed', now, { endpoint: null, lastError: crashError });
}

/**
 * The reconciler (re)starts the container: after a crash (`crash` given) the restart counts and the
 * backoff grows; when nothing exists yet (a first start, or after a scale to zero) it does not.
 */
export function start(deployment: DeploymentRecord, crash: { lastError: string | null } | null, now: Date): DeploymentChanges {
  if (!crash)
    return moveTo(deployment, 'starting', now, { endpoint: null, restarts: deployment.restarts, lastError: deployment.lastError });
  return moveTo(deployment, 'starting', now, {
    endpoint: null,
    restarts: deployment.restarts + 1,
    lastError: crash.lastError,
    nextAttemptAt: new Date(now.getTime() + backoffMs(deployment.restarts)).toISOString(),
  });
}

/** What the orchestrator reports about a container that should run, as the deployment's state. */
export function observe(deployment: DeploymentRecord, status: RendererStatus, now: Date): DeploymentChanges {
  switch (status.phase) {
    case 'running':
      // lastError stays: after a recovered crash the user can still read what happened.
      return moveTo(deployment, 'running', now, { endpoint: status.endpoint, nextAttemptAt: null });
    case 'starting':
      return moveTo(deployment, 'starting', now, { endpoint: null, lastError: status.lastError ?? deployment.lastError });
    default:
      return moveTo(deployment, 'failed', now, { endpoint: null, lastError: status.lastError });
  }
}
