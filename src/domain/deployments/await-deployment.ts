import type { DeploymentRecord } from '../../store/deployments.ts';
import type { Services } from '../context.ts';
import { isServing } from './deployment-lifecycle.ts';

/**
 * Waits, for at most `timeoutMs`, until the reconciler has the avatar's container running (with its
 * endpoint) or failed, or its deployment is gone (the avatar was deleted). The record is read again
 * after each pass of this API's loop rather than taken from the pass itself: on PostgreSQL another
 * replica may hold the avatar's lease and be the one that starts it. Answers the record as last read.
 */
export async function awaitDeployment(services: Services, avatarId: string, timeoutMs: number): Promise<DeploymentRecord | null> {
  const deployments = services.store.deployments;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    for (;;) {
      // No wake per round: the loop's own timer paces the reconciler's reads of the platform.
      await Promise.race([services.background.nextPass(), timedOut]);
      const deployment = await deployments.find(avatarId);
      if (!deployment || isServing(deployment) || deployment.state === 'failed' || Date.now() >= deadline) return deployment;
    }
  } finally {
    clearTimeout(timer);
  }
}
