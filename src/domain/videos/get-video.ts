import { type Ctx, requireScope } from '../context.ts';
import { findVisibleVideo } from './video-access.ts';
import { videoObject } from './video-object.ts';

/** A video job's state: queued, rendering (with progress), completed (with its URLs) or failed (with why). */
export async function getVideo(ctx: Ctx, id: string) {
  requireScope(ctx, 'avatars:read');
  return videoObject(await findVisibleVideo(ctx, id), ctx.services.blobs);
}
