import { requireScope, type Ctx } from '../context.ts';
import { findOwnedAvatar } from '../avatar-access.ts';
import { avatarBlobPrefix } from '../blob-prefixes.ts';

/** Removes the avatar, then its stored files and (through the reconciler) its rendering container (a crash in between leaves files, never a dangling avatar). */
export async function deleteAvatar(ctx: Ctx, id: string) {
  requireScope(ctx, 'avatars:write');
  await findOwnedAvatar(ctx, id);
  await ctx.services.store.avatars.delete(id);
  await ctx.services.store.liveSessions.deleteForAvatar(id);
  await ctx.services.store.videos.deleteForAvatar(id);
  await ctx.services.blobs.deletePrefix(avatarBlobPrefix(id));
  // The reconciler sees the deployment without its avatar and removes the rendering container.
  ctx.services.background.wake();
  return { _id: id };
}
