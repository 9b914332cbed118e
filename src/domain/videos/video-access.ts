import { VIDEO_ID_PATTERN } from '../../../contract/videos.ts';
import type { VideoJobRecord } from '../../store/videos.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import type { Ctx } from '../context.ts';
import { ApiError, ERRORS } from '../errors.ts';

/** The video if the caller may see its avatar; 404 otherwise, the same answer whether or not it exists. */
export async function findVisibleVideo(ctx: Ctx, id: string): Promise<VideoJobRecord> {
  const missing = ERRORS.notFound('video', id);
  if (!VIDEO_ID_PATTERN.test(id)) throw missing;
  const job = await ctx.services.store.videos.find(id);
  if (!job) throw missing;
  try {
    await findVisibleAvatar(ctx, job.avatarId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw missing;
    throw error;
  }
  return job;
}
