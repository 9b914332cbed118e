import { requireScope, type Ctx } from '../context.ts';
import { findVisibleAvatar, visibleAvatar } from '../avatar-access.ts';
import { loadAvatarObject, toAvatarObject } from '../avatar-object.ts';
import type { AvatarReadAhead } from '../keys/authenticate.ts';

/** `readAhead`: the avatar as read with the caller's key (one round trip for the whole request), used when it is `id`'s. */
export async function getAvatar(ctx: Ctx, id: string, readAhead: AvatarReadAhead | null = null) {
  requireScope(ctx, 'avatars:read');
  if (readAhead?.id === id) return toAvatarObject(visibleAvatar(ctx, id, readAhead.avatar), ctx.services.blobs, readAhead.deployment);
  return loadAvatarObject(ctx.services, await findVisibleAvatar(ctx, id));
}
