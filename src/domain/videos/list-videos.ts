import { findVisibleAvatar } from '../avatar-access.ts';
import { type Ctx, requireScope } from '../context.ts';
import { videoObject } from './video-object.ts';

/** An avatar's video jobs, newest first, each as GET /videos/:id shows it. */
export async function listVideos(ctx: Ctx, avatarId: string, page: { limit: number; offset: number }) {
  requireScope(ctx, 'avatars:read');
  const avatar = await findVisibleAvatar(ctx, avatarId);
  const { videos, count } = await ctx.services.store.videos.listForAvatar(avatar.id, page.limit, page.offset);
  return { videos: videos.map((job) => videoObject(job, ctx.services.blobs)), count };
}
