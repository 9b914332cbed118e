import type { Services } from '../domain/context.ts';
import { VideoRenderFailed } from './video-render-failed.ts';

/** A stored file's bytes; a missing one fails the render for good. */
export async function readBlob(services: Services, key: string): Promise<Buffer> {
  const blob = await services.blobs.get(key);
  if (!blob) throw new VideoRenderFailed("The video's stored input is missing from file storage; make the video again.");
  const chunks: Buffer[] = [];
  for await (const chunk of blob.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
