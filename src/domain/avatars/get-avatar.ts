import { requireScope, type Ctx } from '../context.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import { loadAvatarObject } from '../avatar-object.ts';

export async function getAvatar(ctx: Ctx, id: string) {
  requireScope(ctx, 'avatars:read');
  return loadAvatarObject(ctx.services, await findVisibleAvatar(ctx, id));
}
