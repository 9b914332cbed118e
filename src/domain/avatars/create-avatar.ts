import type { AvatarRecord } from '../../store/avatars.ts';
import { requireScope, type Ctx } from '../context.ts';
import { toAvatarObject } from '../avatar-object.ts';
import { checkAvatarFields, type AvatarFields } from '../avatar-input.ts';
import { newAvatarId } from '../ids.ts';
import { DEFAULT_ORB_COLOR, DEFAULT_ORB_SIZE, defaultConfig, defaultOnDemand, defaultResources, isPortraitTier } from '../tiers.ts';
import type { Tier } from '../../model/avatar-fields.ts';

export interface CreateAvatarInput extends AvatarFields {
  name: string;
  tier: Tier;
}

export async function createAvatar(ctx: Ctx, input: CreateAvatarInput) {
  requireScope(ctx, 'avatars:write');
  const renderStyle = input.tier === 'stylized_3d' ? (input.renderStyle ?? 'vrm') : null;
  const fields = checkAvatarFields(input, input.tier, renderStyle);
  const now = new Date().toISOString();
  const isOrb = renderStyle === 'orb';
  const avatar: AvatarRecord = {
    id: newAvatarId(),
    name: fields.name!,
    description: fields.description ?? null,
    tier: input.tier,
    renderStyle,
    orbColor: isOrb ? (fields.orbColor ?? DEFAULT_ORB_COLOR) : null,
    orbSize: isOrb ? (fields.orbSize ?? DEFAULT_ORB_SIZE) : null,
    // An orb needs no source, so it is usable at once.
    status: isOrb ? 'ready' : 'creating',
    error: null,
    preprocessed: false,
    resources: { ...defaultResources(input.tier), ...fields.resources },
    config: { ...defaultConfig(), ...fields.config },
    onDemand: isPortraitTier(input.tier) ? { ...defaultOnDemand(), ...fields.onDemand } : null,
    sourceKey: null,
    sourceInfo: null,
    artifact: null,
    userId: ctx.actor.userId,
    organizationId: ctx.actor.organizationId,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.services.store.avatars.insert(avatar);
  return toAvatarObject(avatar, ctx.services.blobs);
}
