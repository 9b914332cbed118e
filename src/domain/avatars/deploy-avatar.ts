import { randomBytes } from 'node:crypto';
import { deploymentStore } from '../../store/deployments.ts';
import { requireScope, type Ctx } from '../context.ts';
import { findOwnedAvatar } from '../avatar-access.ts';
import { loadAvatarObject } from '../avatar-object.ts';
import { ERRORS } from '../errors.ts';

/**
 * Asks for the avatar's rendering container to run. The reconciler starts it; the answer (202)
 * shows `deployment.state` `starting`, and `renderingEndpoint` is set once the container is healthy.
 */
export async function deployAvatar(ctx: Ctx, id: string) {
  requireScope(ctx, 'avatars:write');
  const avatar = await findOwnedAvatar(ctx, id);
  if (avatar.tier === 'stylized_3d') {
    throw ERRORS.conflict('A stylized_3d avatar renders in the browser and has no rendering container to deploy.');
  }
  if (avatar.status !== 'ready' || !avatar.artifact) {
    throw ERRORS.conflict(
      `The avatar cannot be deployed while its status is ${avatar.status}; upload a portrait and wait until it is ready.`,
    );
  }
  const deployments = deploymentStore(ctx.services.store.db);
  const existing = await deployments.find(id);
  const now = new Date().toISOString();
  if (!existing) {
    await deployments.upsert({
      avatarId: id,
      desired: 'running',
      state: 'starting',
      since: now,
      restarts: 0,
      lastError: null,
      endpoint: null,
      secret: randomBytes(24).toString('base64url'),
      lastUsedAt: now,
      nextAttemptAt: null,
    });
  } else if (existing.desired !== 'running' || existing.state === 'failed' || existing.state === 'stopped') {
    // A new deploy is a fresh start: the restart count and backoff begin again.
    await deployments.update(id, {
      desired: 'running',
      state: existing.state === 'running' ? 'running' : 'starting',
      since: existing.state === 'running' ? existing.since : now,
      restarts: 0,
      nextAttemptAt: null,
      lastError: null,
      lastUsedAt: now,
    });
  } else {
    await deployments.touch(id, now);
  }
  ctx.services.background.wake();
  return loadAvatarObject(ctx.services, avatar);
}

/** Asks for the avatar's rendering container to stop; the reconciler stops it. */
export async function undeployAvatar(ctx: Ctx, id: string) {
  requireScope(ctx, 'avatars:write');
  const avatar = await findOwnedAvatar(ctx, id);
  if (avatar.tier === 'stylized_3d') {
    throw ERRORS.conflict('A stylized_3d avatar renders in the browser and has no rendering container to undeploy.');
  }
  const deployments = deploymentStore(ctx.services.store.db);
  const existing = await deployments.find(id);
  if (existing && existing.desired !== 'stopped') {
    await deployments.update(id, {
      desired: 'stopped',
      state: existing.state === 'stopped' ? 'stopped' : 'stopping',
      since: existing.state === 'stopped' ? existing.since : new Date().toISOString(),
      endpoint: null,
    });
    ctx.services.background.wake();
  }
  return loadAvatarObject(ctx.services, avatar);
}
