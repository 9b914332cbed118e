import type { BlobStore } from '../../blobs/blob-store.ts';
import type { VideoJobRecord } from '../../store/videos.ts';

/** A video job as the API answers it (GET /videos/:id, the list, POST's 202, and webhook events' `data`). */
export function videoObject(job: VideoJobRecord, blobs: BlobStore) {
  const completed = job.status === 'completed';
  return {
    _id: job.id,
    avatarId: job.avatarId,
    status: job.status,
    progress: completed ? 1 : job.progress,
    url: completed && job.videoKey ? blobs.url(job.videoKey) : null,
    transparentUrl: completed && job.transparentKey ? blobs.url(job.transparentKey) : null,
    durationSeconds: job.durationSeconds,
    width: job.width,
    height: job.height,
    frameRate: job.frameRate,
    error: job.error,
    source: job.source,
    transparent: job.transparent,
    expression: job.expression,
    background:
      job.background === null
        ? null
        : 'color' in job.background
          ? { color: job.background.color }
          : { imageUrl: blobs.url(job.background.imageKey) },
    userId: job.userId,
    organizationId: job.organizationId,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    completedAt: job.completedAt,
  };
}

export type VideoObject = ReturnType<typeof videoObject>;

/** Where a job's files live: under its avatar's, so deleting the avatar removes them too. */
export const videoBlobPrefix = (avatarId: string, videoId: string) => `avatars/${avatarId}/videos/${videoId}`;
