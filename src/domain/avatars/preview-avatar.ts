import { requireScope, type Ctx } from '../context.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import { ERRORS } from '../errors.ts';
import { avatarBlobPrefix } from '../blob-prefixes.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { wantsToRun } from '../deployments/deployment-lifecycle.ts';
import type { ExpressionRequest } from '../../../contract/expressions.ts';

/** What a preview may ask for beyond the avatar's own look. */
export interface PreviewInput {
  /** The emotion a rendered clip shows; a VRM (Tier 1) shows emotions in the browser, so its preview ignores it. */
  expression?: ExpressionRequest;
}

export const TIER1_PREVIEW_MESSAGE = 'Tier 1 avatars render client-side. Use the VRM model URL directly.';

/**
 * Tier 1 renders in the browser, so its preview is the model itself (or, for an orb, its colour
 * and size). Tier 2/3 previews come from the avatar's rendering container.
 */
export async function previewAvatar(ctx: Ctx, id: string, input: PreviewInput = {}) {
  requireScope(ctx, 'avatars:write');
  const avatar = await findVisibleAvatar(ctx, id);
  if (avatar.tier === 'stylized_3d') {
    if (avatar.renderStyle === 'orb') {
      return {
        avatarId: avatar.id,
        previewUrl: null,
        tier: avatar.tier,
        renderStyle: 'orb',
        orbColor: avatar.orbColor,
        orbSize: avatar.orbSize,
        message: 'Orb avatars render client-side from orbColor and orbSize.',
      };
    }
    if (!avatar.sourceKey) {
      throw ERRORS.conflict('The avatar has no VRM model yet; upload one to POST /api/v1/avatars/:id/source first.');
    }
    return {
      avatarId: avatar.id,
      previewUrl: ctx.services.blobs.url(avatar.sourceKey),
      tier: avatar.tier,
      message: TIER1_PREVIEW_MESSAGE,
    };
  }
  return previewInRenderer(ctx, avatar.id, input);
}

/** Renders a clip in the avatar's container, keeps the MP4 in the blob store, answers its URL. */
async function previewInRenderer(ctx: Ctx, avatarId: string, input: PreviewInput) {
  const { store, blobs, config } = ctx.services;
  const deployments = store.deployments;
  const deployment = await deployments.find(avatarId);
  if (deployment?.state !== 'running' || !deployment.endpoint) {
    throw ERRORS.rendererUnavailable(
      !deployment || !wantsToRun(deployment)
        ? 'The avatar is not deployed.'
        : `The avatar's rendering container is not running yet (${deployment.state}).`,
    );
  }
  await deployments.touch(avatarId, new Date().toISOString());
  const clip = await new RendererClient(deployment.endpoint, deployment.secret).preview(
    config.previewTimeoutMs,
    input.expression ? { expression: input.expression } : {},
  );
  const blob = await blobs.put(`${avatarBlobPrefix(avatarId)}/previews`, clip, 'video/mp4', 'mp4');
  return { avatarId, previewUrl: blobs.url(blob.key), status: 'completed' as const };
}
