import type { AvatarRecord } from '../store/avatars.ts';
import type { Ctx } from './context.ts';
import { ERRORS } from './errors.ts';
import { AVATAR_ID_PATTERN } from './ids.ts';
import { owns, sees } from './tenant.ts';

/** The avatar if the caller may see it; 404 otherwise, the same answer whether or not it exists. */
export async function findVisibleAvatar(ctx: Ctx, id: string): Promise<AvatarRecord> {
  if (!AVATAR_ID_PATTERN.test(id)) throw ERRORS.notFound('avatar', id);
  return visibleAvatar(ctx, id, await ctx.services.store.avatars.findById(id));
}

/** findVisibleAvatar's answer for the avatar already read under `id` (null: none). */
export function visibleAvatar(ctx: Ctx, id: string, avatar: AvatarRecord | null): AvatarRecord {
  if (!AVATAR_ID_PATTERN.test(id) || !avatar || !sees(ctx.actor, avatar)) throw ERRORS.notFound('avatar', id);
  return avatar;
}

/** The avatar if the caller owns it: 404 when it cannot see it, 403 when it can but is not the owner. */
export async function findOwnedAvatar(ctx: Ctx, id: string): Promise<AvatarRecord> {
  const avatar = await findVisibleAvatar(ctx, id);
  if (!owns(ctx.actor, avatar)) throw ERRORS.forbidden('avatar');
  return avatar;
}
