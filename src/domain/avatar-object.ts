import type { AvatarRecord, AvatarSummaryRecord } from '../store/avatars.ts';
import type { DeploymentRecord } from '../store/deployments.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { AvatarObject, AvatarSummaryObject } from './avatar-schema.ts';
import type { Services } from './context.ts';

/**
 * The avatar as the API answers it: every field of the Avatar Object of the contract (docs/api-contract.txt), in its order,
 * plus what the design (docs/design.md) adds (renderStyle and orb fields, onDemand, sourceImage, sourceInfo, error).
 */
export function toAvatarObject(avatar: AvatarRecord, blobs: BlobStore, deployment: DeploymentRecord | null = null): AvatarObject {
  const isVrmTier = avatar.tier === 'stylized_3d';
  const sourceUrl = avatar.sourceKey ? blobs.url(avatar.sourceKey) : null;
  return {
    _id: avatar.id,
    name: avatar.name,
    description: avatar.description,
    tier: avatar.tier,
    ...(isVrmTier ? { renderStyle: avatar.renderStyle ?? 'vrm' } : {}),
    // An orb always has both: create and update set them with the style.
    ...(avatar.renderStyle === 'orb' ? { orbColor: avatar.orbColor!, orbSize: avatar.orbSize! } : {}),
    preprocessed: avatar.preprocessed,
    status: avatar.status,
    error: avatar.error,
    resources: avatar.resources,
    config: avatar.config,
    ...(isVrmTier ? {} : { onDemand: avatar.onDemand }),
    sourceModel: isVrmTier ? sourceUrl : null,
    ...(isVrmTier ? {} : { sourceImage: sourceUrl }),
    sourceInfo: avatar.sourceInfo,
    // Set only while the container is healthy; it is the system's address, never a user's.
    renderingEndpoint: deployment?.state === 'running' ? deployment.endpoint : null,
    ...(isVrmTier ? {} : { deployment: toDeploymentObject(deployment) }),
    userId: avatar.userId,
    organizationId: avatar.organizationId,
    createdAt: avatar.createdAt,
    updatedAt: avatar.updatedAt,
  };
}

/** `deployment` of a Tier 2/3 avatar: `stopped` until it is first deployed. */
function toDeploymentObject(deployment: DeploymentRecord | null): AvatarObject['deployment'] {
  if (!deployment) return { state: 'stopped', since: null, restarts: 0, lastError: null };
  return { state: deployment.state, since: deployment.since, restarts: deployment.restarts, lastError: deployment.lastError };
}

/** The avatar object with its deployment read from the store (Tier 2/3 only have one). */
export async function loadAvatarObject(services: Services, avatar: AvatarRecord): Promise<AvatarObject> {
  const deployment = avatar.tier === 'stylized_3d' ? null : await services.store.deployments.find(avatar.id);
  return toAvatarObject(avatar, services.blobs, deployment);
}

/** The list's summary fields, exactly as the contract (docs/api-contract.txt) lists them. */
export function toAvatarSummary(avatar: AvatarSummaryRecord): AvatarSummaryObject {
  return {
    _id: avatar.id,
    name: avatar.name,
    tier: avatar.tier,
    status: avatar.status,
    userId: avatar.userId,
    organizationId: avatar.organizationId,
    createdAt: avatar.createdAt,
  };
}
