import type { AvatarRecord, AvatarSummaryRecord } from '../store/avatars.ts';
import type { BlobStore } from '../blobs/blob-store.ts';

/**
 * The avatar as the API answers it: every field of the seed's Avatar Object, in the seed's order,
 * plus what DESIGN.md adds (renderStyle and orb fields, onDemand, sourceImage, sourceInfo, error).
 */
export function toAvatarObject(avatar: AvatarRecord, blobs: BlobStore) {
  const isVrmTier = avatar.tier === 'stylized_3d';
  const sourceUrl = avatar.sourceKey ? blobs.url(avatar.sourceKey) : null;
  return {
    _id: avatar.id,
    name: avatar.name,
    description: avatar.description,
    tier: avatar.tier,
    ...(isVrmTier ? { renderStyle: avatar.renderStyle ?? 'vrm' } : {}),
    ...(avatar.renderStyle === 'orb' ? { orbColor: avatar.orbColor, orbSize: avatar.orbSize } : {}),
    preprocessed: avatar.preprocessed,
    status: avatar.status,
    error: avatar.error,
    resources: avatar.resources,
    config: avatar.config,
    ...(isVrmTier ? {} : { onDemand: avatar.onDemand }),
    sourceModel: isVrmTier ? sourceUrl : null,
    ...(isVrmTier ? {} : { sourceImage: sourceUrl }),
    sourceInfo: avatar.sourceInfo,
    renderingEndpoint: null as string | null,
    userId: avatar.userId,
    organizationId: avatar.organizationId,
    createdAt: avatar.createdAt,
    updatedAt: avatar.updatedAt,
  };
}

export type AvatarObject = ReturnType<typeof toAvatarObject>;

/** The list's summary fields, exactly as the seed lists them. */
export function toAvatarSummary(avatar: AvatarSummaryRecord) {
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
