import { requireScope, type Ctx } from '../context.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import { toAvatarObject } from '../avatar-object.ts';

export async function getAvatar(ctx: Ctx, id: string) {
  requireScope(ctx, 'avatars:read');
  return toAvatarObject(await findVisibleAvatar(ctx, id), ctx.services.blobs);
}
