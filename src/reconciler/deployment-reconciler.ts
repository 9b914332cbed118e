import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import type { AvatarRecord } from '../store/avatars.ts';
import type { DeploymentChanges, DeploymentRecord } from '../store/deployments.ts';
import {
  awaitRestart,
  inBackoff,
  isIdle,
  missingPortrait,
  observe,
  scaleToZero,
  start,
  stopped,
  wantsToRun,
  withChanges,
} from '../domain/deployments/deployment-lifecycle.ts';
import type { Orchestrator, RendererSpec, RendererStatus } from '../orchestrators/orchestrator.ts';
import { isPortraitTier } from '../domain/tiers.ts';
import { deploymentChanged, sessionEnded } from '../domain/webhooks/lifecycle-events.ts';
import { withEvents } from '../domain/webhooks/with-events.ts';

/** Only Tier 2/3 avatars are deployed (the deploy verb refuses stylized_3d), so only they reach an orchestrator. */
function portraitTier(avatar: AvatarRecord): RendererSpec['tier'] {
  if (!isPortraitTier(avatar.tier)) throw new Error(`avatar ${avatar.id} is ${avatar.tier}: it has no rendering container`);
  return avatar.tier;
}

/** A replica that stops renewing its leases (crashed, partitioned) loses its avatars after this. */
const LEASE_MS = 15_000;

/**
 * Makes the rendering containers match the `deployments` table: starts what should run, restarts
 * what crashed (with backoff), stops what should not run or has idled past its on-demand limit,
 * and removes containers whose avatar is gone. Each deployment is leased, so several API replicas
 * on one database never start the same avatar's container twice.
 */
export function createDeploymentReconciler(services: Services, orchestrator: Orchestrator, log: FastifyBaseLogger) {
  const owner = `dr_${randomBytes(6).toString('hex')}`;
  const deployments = services.store.deployments;
  const avatars = services.store.avatars;

  function specOf(avatar: AvatarRecord, deployment: DeploymentRecord, replicas: 0 | 1): RendererSpec {
    return {
      avatarId: avatar.id,
      organizationId: avatar.organizationId,
      userId: avatar.userId,
      tier: portraitTier(avatar),
      resources: avatar.resources,
      config: avatar.config,
      portrait: {
        imageUrl: services.blobs.url(avatar.artifact!.imageKey),
        faceUrl: services.blobs.url(avatar.artifact!.faceKey),
      },
      secret: deployment.secret,
      maxSessions: services.config.sessions.perAvatar,
      replicas,
    };
  }

  /**
   * Writes one lifecycle step and answers the record as it now stands, or null when the owner changed the deployment
   * since it was read: this pass stops there and the next one starts from the owner's word.
   */
  async function write(deployment: DeploymentRecord, changes: DeploymentChanges): Promise<DeploymentRecord | null> {
    const written = withChanges(deployment, changes);
    return withEvents(services, async (tx) => {
      if (!(await tx.store.deployments.updateIfUnchanged(deployment, changes))) return null;
      // Announced on the transition only, with the write: a pass that finds the state as it was says nothing.
      const reached = written.state !== deployment.state ? written.state : null;
      if (reached === 'running' || reached === 'failed') await deploymentChanged(tx, written.avatarId, reached, written.lastError);
      return written;
    });
  }

  /** The live sessions a crashed container held are over: GET /sessions/:id says `renderer-failed`. */
  async function endSessionsOfCrashed(avatarId: string): Promise<void> {
    const endedAt = new Date().toISOString();
    const ended = await withEvents(services, async (tx) => {
      const ids = await tx.store.liveSessions.endLiveOf(avatarId, 'renderer-failed', endedAt);
      for (const id of ids) await sessionEnded(tx, { id, avatarId }, { endedAt, endReason: 'renderer-failed' });
      return ids;
    });
    if (ended.length > 0) log.warn({ avatarId, sessions: ended.length }, 'ended the live sessions of a crashed rendering container');
  }

  async function reconcileOne(deployment: DeploymentRecord, now: Date): Promise<void> {
    const avatar = await avatars.findById(deployment.avatarId);
    if (!avatar) {
      await orchestrator.remove(deployment.avatarId);
      await deployments.delete(deployment.avatarId);
      return;
    }
    if (!wantsToRun(deployment)) {
      // Undeployed: remove what was made for the avatar. Scaled to zero: already stopped, objects kept.
      if (deployment.state !== 'stopped') {
        await orchestrator.remove(deployment.avatarId);
        await write(deployment, stopped(deployment, new Date()));
      }
      return;
    }
    if (isIdle(deployment, avatar.onDemand, now) && avatar.artifact) {
      // Scale to zero rather than remove: on Kubernetes the objects stay, ready to scale back to one.
      await orchestrator.apply(specOf(avatar, deployment, 0));
      if (!(await write(deployment, scaleToZero(deployment, new Date())))) return;
      log.info(
        { avatarId: avatar.id, idleMs: now.getTime() - Date.parse(deployment.lastUsedAt) },
        'stopped an on-demand rendering container after its idle time',
      );
      return;
    }
    if (!avatar.artifact) {
      await write(deployment, missingPortrait(deployment, new Date()));
      return;
    }

    let status: RendererStatus | null = await orchestrator.status(avatar.id);
    if (status && deployment.state === 'starting' && orchestrator.isStuck(status, now.getTime() - Date.parse(deployment.since))) {
      // Alive but not answering its health checks for too long (hung): replace it like a crashed one.
      await orchestrator.remove(avatar.id);
      status = { ...status, phase: 'failed', endpoint: null, lastError: 'The rendering container stopped answering its health checks.' };
    }
    if (!status || status.phase === 'stopped' || status.phase === 'failed') {
      const crash = status?.phase === 'failed' ? { lastError: status.lastError } : null;
      if (crash) await endSessionsOfCrashed(avatar.id);
      if (crash && inBackoff(deployment, now)) {
        await write(deployment, awaitRestart(deployment, crash.lastError, new Date()));
        return;
      }
      const starting = await write(deployment, start(deployment, crash, now));
      if (!starting) return;
      deployment = starting;
      if (crash)
        log.warn(
          { avatarId: avatar.id, restarts: deployment.restarts, error: crash.lastError },
          'restarting a crashed rendering container',
        );
      status = await orchestrator.apply(specOf(avatar, deployment, 1));
    }
    await write(deployment, observe(deployment, status, new Date()));
  }

  async function removeOrphans(): Promise<void> {
    const known = new Set((await deployments.all()).map((d) => d.avatarId));
    for (const status of await orchestrator.list()) {
      if (!known.has(status.avatarId)) {
        log.info({ avatarId: status.avatarId }, 'removing a rendering container whose avatar is gone');
        await orchestrator.remove(status.avatarId);
      }
    }
  }

  return {
    async runOnce(): Promise<number> {
      const now = new Date();
      const until = new Date(now.getTime() + LEASE_MS).toISOString();
      for (const { avatarId } of await deployments.all()) {
        if (!(await deployments.claimLease(avatarId, owner, now.toISOString(), until))) continue;
        try {
          // Read again under the lease: the list is as old as the pass, and an owner may have acted since.
          const deployment = await deployments.find(avatarId);
          if (deployment) await reconcileOne(deployment, now);
        } catch (error) {
          log.error({ err: error, avatarId }, 'could not reconcile a deployment');
        }
      }
      await removeOrphans();
      // Never "more work": the loop's timer brings the next pass.
      return 0;
    },
  };
}
