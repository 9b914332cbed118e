import { type Ctx, requireScope } from '../context.ts';
import { findVisibleVideo } from './video-access.ts';
import { videoBlobPrefix } from './video-object.ts';

/**
 * Cancels a job that is queued or rendering, or removes a finished video, with its files. The renderer holding a
 * running job sees its row gone at its next progress write and stops (and removes anything it stored after this).
 */
export async function deleteVideo(ctx: Ctx, id: string): Promise<void> {
  requireScope(ctx, 'avatars:write');
  const job = await findVisibleVideo(ctx, id);
  await ctx.services.store.videos.delete(job.id);
  await ctx.services.blobs.deletePrefix(videoBlobPrefix(job.avatarId, job.id));
  ctx.services.background.wake();
}
