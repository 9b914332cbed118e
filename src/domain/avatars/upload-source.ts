import type { AvatarRecord } from '../../store/avatars.ts';
import { inspectVrm, isGlb } from '../../sources/vrm/index.ts';
import { sniffImage, stripPortraitMetadata } from '../../sources/portrait/index.ts';
import { SourceRejected } from '../../sources/source-rejected.ts';
import { requireScope, type Ctx } from '../context.ts';
import { findOwnedAvatar } from '../avatar-access.ts';
import { avatarBlobPrefix } from '../blob-prefixes.ts';
import { ERRORS } from '../errors.ts';
import { randomBase62 } from '../ids.ts';
import { avatarFailed, avatarReady } from '../webhooks/lifecycle-events.ts';
import { withEvents } from '../webhooks/with-events.ts';

const IMAGE_EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;

/** What the bytes are, from their magic numbers (never from the claimed content type or file name). */
function identify(data: Buffer): 'vrm' | keyof typeof IMAGE_EXTENSIONS | null {
  if (isGlb(data)) return 'vrm';
  return sniffImage(data);
}

function describe(kind: ReturnType<typeof identify>): string {
  if (kind === 'vrm') return 'a VRM/glTF model';
  if (kind) return `a ${IMAGE_EXTENSIONS[kind].toUpperCase()} image`;
  return 'neither a VRM model nor a PNG, JPEG or WebP image';
}

/**
 * Takes an avatar's source. A VRM is checked now: a bad one is refused and changes nothing, a good
 * one makes the avatar ready. A portrait is stored and queued: the avatar goes `preprocessing`
 * and the background preprocessor makes it `ready` or `failed`. Uploading again replaces the source.
 * `read` gives the uploaded bytes (or throws the HTTP layer's error for a body that is no file).
 * Uploads are checked a bounded number at a time (config.uploads): past it they wait, then get 429.
 */
export async function uploadSource(ctx: Ctx, id: string, read: () => Promise<Buffer>) {
  requireScope(ctx, 'avatars:write');
  const avatar = await findOwnedAvatar(ctx, id);
  if (avatar.renderStyle === 'orb') {
    throw ERRORS.conflict('This avatar renders as an orb and takes no source; set renderStyle to "vrm" first.');
  }
  const leave = await ctx.services.uploads.enter(ctx.actor);
  try {
    return await takeSource(ctx, avatar, read);
  } finally {
    leave();
  }
}

async function takeSource(ctx: Ctx, avatar: AvatarRecord, read: () => Promise<Buffer>) {
  const { id } = avatar;
  const { config, blobs, store } = ctx.services;
  // Read only once the caller may upload: a stranger learns nothing from how the body is judged.
  const data = await read();
  if (data.length === 0) throw ERRORS.invalidSource('The uploaded file is empty.');
  const kind = identify(data);
  const wantsVrm = avatar.tier === 'stylized_3d';
  if (wantsVrm && kind !== 'vrm') {
    throw ERRORS.invalidSource(`A stylized_3d avatar takes a VRM model (.vrm); the uploaded file is ${describe(kind)}.`);
  }
  if (!wantsVrm && (kind === 'vrm' || kind === null)) {
    throw ERRORS.invalidSource(
      `An ${avatar.tier} avatar takes a portrait photo (PNG, JPEG or WebP); the uploaded file is ${describe(kind)}.`,
    );
  }
  const limit = wantsVrm ? config.maxVrmBytes : config.maxImageBytes;
  if (data.length > limit) throw ERRORS.payloadTooLarge(limit);

  const changes: Partial<AvatarRecord> = { updatedAt: new Date().toISOString(), error: null, preprocessed: false, artifact: null };
  let field: 'sourceModel' | 'sourceImage';
  if (kind === 'vrm') {
    try {
      changes.sourceInfo = { ...(await inspectVrm(data)) };
    } catch (error) {
      if (error instanceof SourceRejected) {
        await avatarFailed(ctx.services, avatar, error.message);
        throw ERRORS.invalidSource(error.message);
      }
      throw error;
    }
    changes.status = 'ready';
    field = 'sourceModel';
  } else {
    changes.sourceInfo = null;
    changes.status = 'preprocessing';
    field = 'sourceImage';
  }
  // What is stored is what anyone with the URL gets: a portrait without its EXIF (GPS position included).
  let stored = data;
  if (kind !== 'vrm') {
    try {
      stored = await stripPortraitMetadata(data, kind!);
    } catch (error) {
      if (error instanceof SourceRejected) throw ERRORS.invalidSource(error.message);
      throw error;
    }
  }

  // New file first, then the avatar points at it, then the old file goes: never a dangling pointer.
  // Each upload gets a folder of its own, so removing the file an upload replaced can never remove
  // a concurrent upload's (identical) file; the pointer moves only from the source this upload saw,
  // else it looks again, so the file it replaces is always the one it removes.
  const folder = `${avatarBlobPrefix(id)}/source/${randomBase62(12)}`;
  const blob = await blobs.put(folder, stored, '', kind === 'vrm' ? 'vrm' : IMAGE_EXTENSIONS[kind!]);
  // A VRM is ready at once: the pointer moves with its avatar.ready, in one transaction.
  const point = (from: string | null) =>
    withEvents(ctx.services, async (tx) => {
      if (!(await tx.store.avatars.updateIfSource(id, from, { ...changes, sourceKey: blob.key }))) return false;
      if (kind === 'vrm') await avatarReady(tx, { ...avatar, ...changes, sourceKey: blob.key });
      return true;
    });
  let before = avatar;
  while (!(await point(before.sourceKey))) {
    const now = await store.avatars.findById(id);
    if (!now) {
      await blobs.deletePrefix(avatarBlobPrefix(id));
      throw ERRORS.notFound('avatar', id);
    }
    before = now;
  }
  await removeReplaced(ctx, before, blob.key);
  if (changes.status === 'preprocessing') ctx.services.background.wake();
  return { url: blobs.url(blob.key), field, size: blob.size };
}

/** The previous source and its preprocessed artifact. */
async function removeReplaced(ctx: Ctx, before: AvatarRecord, newKey: string) {
  const stale = [before.sourceKey, before.artifact?.imageKey, before.artifact?.faceKey].filter(
    (key): key is string => !!key && key !== newKey,
  );
  for (const key of stale) await ctx.services.blobs.delete(key);
}
