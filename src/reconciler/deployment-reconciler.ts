import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import { avatarStore, type AvatarRecord } from '../store/avatars.ts';
import { deploymentStore, type DeploymentRecord } from '../store/deployments.ts';
import type { Orchestrator, RendererSpec, RendererStatus } from '../orchestrators/orchestrator.ts';

/** A replica that stops renewing its leases (crashed, partitioned) loses its avatars after this. */
const LEASE_MS = 15_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Makes the rendering containers match the `deployments` table: starts what should run, restarts
 * what crashed (with backoff), stops what should not run or has idled past its on-demand limit,
 * and removes containers whose avatar is gone. Each deployment is leased, so several API replicas
 * on one database never start the same avatar's container twice.
 */
export function createDeploymentReconciler(services: Services, orchestrator: Orchestrator, log: FastifyBaseLogger) {
  const owner = `dr_${randomBytes(6).toString('hex')}`;
  const deployments = deploymentStore(services.store.db);
  const avatars = avatarStore(services.store.db);

  function specOf(avatar: AvatarRecord, deployment: DeploymentRecord, replicas: 0 | 1): RendererSpec {
    return {
      avatarId: avatar.id,
      organizationId: avatar.organizationId,
      userId: avatar.userId,
      tier: avatar.tier as RendererSpec['tier'],
      resources: avatar.resources as unknown as RendererSpec['resources'],
      config: avatar.config as unknown as RendererSpec['config'],
      portrait: {
        imageUrl: services.blobs.url(avatar.artifact!.imageKey),
        faceUrl: services.blobs.url(avatar.artifact!.faceKey),
      },
      secret: deployment.secret,
      maxSessions: services.config.sessions.perAvatar,
      replicas,
    };
  }

  /** Undeploy: remove what was made for the avatar. */
  async function stopIt(deployment: DeploymentRecord) {
    await orchestrator.remove(deployment.avatarId);
    await record(deployment, { state: 'stopped', endpoint: null, lastError: null });
  }

  async function reconcileOne(deployment: DeploymentRecord, now: Date): Promise<void> {
    const avatar = await avatars.findById(deployment.avatarId);
    if (!avatar) {
      await orchestrator.remove(deployment.avatarId);
      await deployments.delete(deployment.avatarId);
      return;
    }
    if (deployment.desired === 'stopped') {
      if (deployment.state !== 'stopped') await stopIt(deployment);
      return;
    }
    const onDemand = avatar.onDemand as { schedulingMode?: string; autoShutdownMinutes?: number } | null;
    if (onDemand?.schedulingMode === 'on_demand' && deployment.state === 'running') {
      const idleMs = now.getTime() - Date.parse(deployment.lastUsedAt);
      const limitMs = (onDemand.autoShutdownMinutes ?? 5) * 60_000;
      if (idleMs >= limitMs && avatar.artifact) {
        // Scale to zero rather than remove: on Kubernetes the objects stay, ready to scale back to one.
        await deployments.update(deployment.avatarId, { desired: 'stopped' });
        await orchestrator.apply(specOf(avatar, deployment, 0));
        await record(deployment, { state: 'stopped', endpoint: null, lastError: null });
        log.info({ avatarId: avatar.id, idleMs }, 'stopped an on-demand rendering container after its idle time');
        return;
      }
    }
    if (!avatar.artifact) {
      await deployments.update(deployment.avatarId, { state: 'failed', lastError: 'The avatar has no preprocessed portrait; upload a photo first.', endpoint: null });
      return;
    }

    let status: RendererStatus | null = await orchestrator.status(avatar.id);
    if (status && isStuck(status, deployment, now)) {
      // Alive but not answering its health checks for too long (hung): replace it like a crashed one.
      await orchestrator.remove(avatar.id);
      status = { ...status, phase: 'failed', endpoint: null, lastError: 'The rendering container stopped answering its health checks.' };
    }
    if (status?.phase === 'failed' || !status || status.phase === 'stopped') {
      const crashed = status?.phase === 'failed';
      if (crashed && deployment.nextAttemptAt && Date.parse(deployment.nextAttemptAt) > now.getTime()) {
        await record(deployment, { state: 'failed', endpoint: null, lastError: status!.lastError });
        return;
      }
      const restarts = crashed ? deployment.restarts + 1 : deployment.restarts;
      if (crashed) {
        // 1 s, 2 s, 4 s ... up to a minute between attempts.
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(deployment.restarts, 16));
        await deployments.update(avatar.id, { nextAttemptAt: new Date(now.getTime() + backoff).toISOString() });
        log.warn({ avatarId: avatar.id, restarts, error: status!.lastError }, 'restarting a crashed rendering container');
      }
      const lastError = crashed ? status!.lastError : deployment.lastError;
      await record(deployment, { state: 'starting', endpoint: null, restarts, lastError });
      status = await orchestrator.apply(specOf(avatar, deployment, 1));
      deployment = { ...deployment, state: 'starting', restarts, lastError };
    }
    if (status.phase === 'running') {
      // lastError stays: after a recovered crash the user can still read what happened.
      await record(deployment, { state: 'running', endpoint: status.endpoint, nextAttemptAt: null });
    } else if (status.phase === 'starting') {
      await record(deployment, { state: 'starting', endpoint: null, lastError: status.lastError ?? deployment.lastError });
    } else {
      await record(deployment, { state: 'failed', endpoint: null, lastError: status.lastError });
    }
  }

  /**
   * A local container that has been `starting` (alive, not healthy) longer than the start timeout.
   * On Kubernetes the pod's own liveness probe restarts a hung container, and a slow start (image
   * pulls, GPU scheduling) is not a fault, so only the local orchestrator is judged here.
   */
  function isStuck(status: RendererStatus, deployment: DeploymentRecord, now: Date): boolean {
    return (
      orchestrator.kind === 'local' &&
      status.phase === 'starting' &&
      deployment.state === 'starting' &&
      now.getTime() - Date.parse(deployment.since) > services.config.rendererStartTimeoutMs
    );
  }

  /** Writes the observed state; `since` moves only when the state changes. */
  async function record(deployment: DeploymentRecord, changes: Partial<DeploymentRecord>) {
    const moved = changes.state !== undefined && changes.state !== deployment.state;
    await deployments.update(deployment.avatarId, { ...changes, ...(moved ? { since: new Date().toISOString() } : {}) });
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
      for (const deployment of await deployments.all()) {
        if (!(await deployments.claimLease(deployment.avatarId, owner, now.toISOString(), until))) continue;
        try {
          await reconcileOne(deployment, now);
        } catch (error) {
          log.error({ err: error, avatarId: deployment.avatarId }, 'could not reconcile a deployment');
        }
      }
      await removeOrphans();
      // Never "more work": the loop's timer brings the next pass.
      return 0;
    },
  };
}
