import type { AvatarRecord } from '../../store/avatars.ts';
import { requireScope, type Ctx } from '../context.ts';
import { findOwnedAvatar } from '../avatar-access.ts';
import { loadAvatarObject } from '../avatar-object.ts';
import { checkAvatarFields, type AvatarFields } from '../avatar-input.ts';
import { ERRORS } from '../errors.ts';
import { DEFAULT_ORB_COLOR, DEFAULT_ORB_SIZE } from '../tiers.ts';

export interface UpdateAvatarInput extends AvatarFields {
  /** Clients may send the avatar back as they got it; a tier other than the avatar's is refused. */
  tier?: string;
}

/** PUT: only name, description, config, resources (merged), onDemand and the orb fields change. */
export async function updateAvatar(ctx: Ctx, id: string, input: UpdateAvatarInput) {
  requireScope(ctx, 'avatars:write');
  const avatar = await findOwnedAvatar(ctx, id);
  const tier = avatar.tier;
  if (input.tier !== undefined && input.tier !== tier) {
    throw ERRORS.validation([{ path: 'tier', message: `is fixed at creation and cannot change from ${tier}` }]);
  }
  const renderStyle = tier === 'stylized_3d' ? (input.renderStyle ?? avatar.renderStyle ?? 'vrm') : null;
  const fields = checkAvatarFields(input, tier, renderStyle);

  const changes: Partial<AvatarRecord> = { updatedAt: new Date().toISOString() };
  if (fields.name !== undefined) changes.name = fields.name;
  if (fields.description !== undefined) changes.description = fields.description;
  if (fields.config) changes.config = { ...avatar.config, ...fields.config };
  if (fields.resources) changes.resources = { ...avatar.resources, ...fields.resources };
  // checkAvatarFields takes onDemand for Tier 2/3 only, whose records always carry it.
  if (fields.onDemand) changes.onDemand = { ...avatar.onDemand!, ...fields.onDemand };
  if (renderStyle !== avatar.renderStyle) {
    changes.renderStyle = renderStyle;
    // An orb needs nothing uploaded; a VRM avatar is ready only once its model is.
    changes.status = renderStyle === 'orb' ? 'ready' : avatar.sourceKey ? 'ready' : 'creating';
  }
  if (renderStyle === 'orb') {
    changes.orbColor = fields.orbColor ?? avatar.orbColor ?? DEFAULT_ORB_COLOR;
    changes.orbSize = fields.orbSize ?? avatar.orbSize ?? DEFAULT_ORB_SIZE;
  }
  const updated = await ctx.services.store.avatars.update(id, changes);
  if (!updated) throw ERRORS.notFound('avatar', id);
  return loadAvatarObject(ctx.services, updated);
}
