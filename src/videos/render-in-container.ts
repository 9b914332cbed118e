import { randomBytes } from 'node:crypto';
import type { RenderVideoRequest } from '../../contract/videos.ts';
import type { Services } from '../domain/context.ts';
import { awaitDeployment } from '../domain/deployments/await-deployment.ts';
import { firstDeployment, isScaledToZero, isServing, requestRun, wantsToRun } from '../domain/deployments/deployment-lifecycle.ts';
import { RendererClient } from '../renderer-client/renderer-client.ts';
import { RendererUnavailable } from '../renderer-client/renderer-errors.ts';
import type { AvatarRecord } from '../store/avatars.ts';
import type { DeploymentRecord } from '../store/deployments.ts';
import type { VideoJobRecord } from '../store/videos.ts';
import { readBlob } from './read-blob.ts';
import { VideoRenderFailed } from './video-render-failed.ts';

/** How often a render's status is asked while it runs. */
const POLL_MS = 500;

/**
 * A Tier 2/3 clip, rendered in the avatar's rendering container (deployed on demand as for a live session): the
 * speech goes up with the job's id (so a retry after a restart finds the same render), its progress is polled, and the
 * MP4 comes back. The container's copy is dropped once fetched, or when the render is cancelled.
 */
export async function renderInContainer(
  services: Services,
  job: VideoJobRecord,
  avatar: AvatarRecord,
  signal: AbortSignal,
  onProgress: (fraction: number) => Promise<void>,
): Promise<{ mp4: Buffer }> {
  const deployment = await runningDeployment(services, avatar);
  const client = new RendererClient(deployment.endpoint, deployment.secret);
  const speech = await readBlob(services, job.speechKey);
  const request: RenderVideoRequest = {
    jobId: job.id,
    pcmBase64: speech.toString('base64'),
    ...(job.expression ? { expression: job.expression } : {}),
    seed: job.seed,
  };
  try {
    let status = await client.startVideo(request);
    for (;;) {
      signal.throwIfAborted();
      if (status.state === 'failed') throw new VideoRenderFailed(status.error ?? 'The rendering container could not render the video.');
      if (status.state === 'completed') break;
      await onProgress(status.progress);
      await services.store.deployments.touch(avatar.id, new Date().toISOString());
      await sleep(POLL_MS, signal);
      // A container that restarted has lost the render: the same request starts it again.
      status = (await client.videoStatus(job.id)) ?? (await client.startVideo(request));
    }
    const mp4 = await client.videoFile(job.id);
    if (!mp4) throw new RendererUnavailable('The rendering container lost the finished video before it was fetched.');
    return { mp4 };
  } finally {
    // Finished, cancelled or failed, the container's copy is of no more use (a container that is gone has none). A
    // server that stops leaves it: the next one asks for the same job id and finds the render going or done.
    if (signal.reason !== 'shutdown') await client.dropVideo(job.id).catch(() => {});
  }
}

/** The avatar's container, running; an avatar that deploys on demand (or was scaled to zero) is started and awaited. */
async function runningDeployment(services: Services, avatar: AvatarRecord): Promise<DeploymentRecord & { endpoint: string }> {
  const deployments = services.store.deployments;
  const deployment = await deployments.find(avatar.id);
  if (isServing(deployment)) return deployment;
  const onDemand = avatar.onDemand?.schedulingMode === 'on_demand';
  if (!onDemand && (!deployment || !wantsToRun(deployment)))
    throw new VideoRenderFailed('The avatar is not deployed; deploy it and make the video again.');
  const now = new Date();
  if (!deployment) await deployments.upsert(firstDeployment(avatar.id, randomBytes(24).toString('base64url'), now));
  else if (!wantsToRun(deployment) || isScaledToZero(deployment) || deployment.state === 'failed' || deployment.state === 'stopped') {
    await deployments.update(avatar.id, requestRun(deployment, now));
  }
  services.background.wake();
  const settled = await awaitDeployment(services, avatar.id, services.config.sessions.startTimeoutMs);
  if (isServing(settled)) return settled;
  throw new RendererUnavailable(
    settled?.state === 'failed'
      ? `The avatar's rendering container failed to start${settled.lastError ? `: ${settled.lastError}` : ''}.`
      : `The avatar's rendering container did not start within ${services.config.sessions.startTimeoutMs} ms.`,
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
