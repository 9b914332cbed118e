import { findVisibleAvatar } from '../avatar-access.ts';
import { type Ctx, requireScope } from '../context.ts';
import { isSeqKey, nextCursor, type PageInput, readPage } from '../list-page.ts';
import { videoObject } from './video-object.ts';

export const VIDEOS_DEFAULT_LIMIT = 50;
export const VIDEOS_MAX_LIMIT = 200;

/** An avatar's video jobs, newest first, each as GET /videos/:id shows it. */
export async function listVideos(ctx: Ctx, avatarId: string, input: PageInput) {
  requireScope(ctx, 'avatars:read');
  const avatar = await findVisibleAvatar(ctx, avatarId);
  const page = readPage(input, { defaultLimit: VIDEOS_DEFAULT_LIMIT, maxLimit: VIDEOS_MAX_LIMIT }, isSeqKey);
  const { videos, count, lastSeq } = await ctx.services.store.videos.listForAvatar(avatar.id, {
    limit: page.limit,
    offset: page.offset,
    afterSeq: page.after?.[0] ?? null,
  });
  return {
    videos: videos.map((job) => videoObject(job, ctx.services.blobs)),
    count,
    nextCursor: nextCursor(lastSeq === null ? null : [lastSeq]),
  };
}
