import { randomBytes } from 'node:crypto';
import { firstDeployment, requestRun, requestStop } from '../deployments/deployment-lifecycle.ts';
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
  const deployments = ctx.services.store.deployments;
  const existing = await deployments.find(id);
  const now = new Date();
  if (!existing) await deployments.upsert(firstDeployment(id, randomBytes(24).toString('base64url'), now));
  else await deployments.update(id, requestRun(existing, now));
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
  const deployments = ctx.services.store.deployments;
  const existing = await deployments.find(id);
  const changes = existing ? requestStop(existing, new Date()) : {};
  if (existing && Object.keys(changes).length > 0) {
    await deployments.update(id, changes);
    ctx.services.background.wake();
  }
  return loadAvatarObject(ctx.services, avatar);
}
