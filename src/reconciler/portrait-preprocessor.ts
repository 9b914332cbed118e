import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import { avatarBlobPrefix } from '../domain/blob-prefixes.ts';
import { preprocessPortrait, turnStoredPortrait } from '../sources/portrait/index.ts';
import { SourceRejected } from '../sources/source-rejected.ts';
import { avatarFailed, avatarReady } from '../domain/webhooks/lifecycle-events.ts';

/** How long one preprocessing run may hold an avatar before another replica may take over. */
const LEASE_MS = 60_000;

/**
 * Makes `preprocessing` avatars `ready` (face found, artifact stored) or `failed` (with the reason).
 * The work list is the database itself, so an upload survives a restart, and a lease keeps two
 * replicas from preprocessing the same upload.
 */
export function createPortraitPreprocessor(services: Services, log: FastifyBaseLogger) {
  const owner = `pp_${randomBytes(6).toString('hex')}`;
  const avatars = services.store.avatars;

  /** A webhook event that cannot be recorded is logged: the avatar's own state is written already. */
  const announce = (event: Promise<void>, avatarId: string) =>
    event.catch((error) => log.error({ err: error, avatarId }, 'could not record a webhook event'));

  async function processOne(id: string): Promise<void> {
    const now = new Date();
    if (!(await avatars.claimLease(id, owner, now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString()))) return;
    const avatar = await avatars.findById(id);
    if (avatar?.status !== 'preprocessing' || !avatar.sourceKey) return;
    const sourceKey = avatar.sourceKey;
    const source = await services.blobs.get(sourceKey);
    if (!source) {
      const error = 'The uploaded photo was lost before it could be processed; upload it again.';
      if (await avatars.updateIfSource(id, sourceKey, { status: 'failed', error })) {
        await announce(avatarFailed(services, { ...avatar, status: 'failed', error }, error), id);
      }
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of source.body) chunks.push(chunk as Buffer);
    try {
      const file = Buffer.concat(chunks);
      const { info, artifact, turned } = await preprocessPortrait(file);
      // A folder per run: removing a replaced artifact can never remove a newer run's identical one.
      const prefix = `${avatarBlobPrefix(id)}/portrait/${randomBytes(6).toString('hex')}`;
      const image = await services.blobs.put(prefix, artifact.image, 'image/png', 'png');
      const face = await services.blobs.put(prefix, Buffer.from(JSON.stringify(artifact.face)), 'application/json', 'json');
      // A photo found turned is served turned upright too (sourceImage), as if its EXIF had said so: what the user
      // downloads is the picture the avatar shows. Its new key is a new URL; the upload's URL stops answering.
      const upright = turned
        ? await services.blobs.put(
            `${avatarBlobPrefix(id)}/source/${randomBytes(6).toString('hex')}`,
            await turnStoredPortrait(file, turned),
            '',
            sourceKey.slice(sourceKey.lastIndexOf('.') + 1),
          )
        : null;
      const stored = await avatars.updateIfSource(id, sourceKey, {
        status: 'ready',
        preprocessed: true,
        error: null,
        sourceInfo: { ...info },
        artifact: { imageKey: image.key, faceKey: face.key },
        ...(upright ? { sourceKey: upright.key } : {}),
        updatedAt: new Date().toISOString(),
      });
      if (stored) {
        if (upright) await services.blobs.delete(sourceKey);
        await announce(avatarReady(services, { ...avatar, status: 'ready', sourceKey: upright?.key ?? sourceKey }), id);
      } else {
        // A newer upload replaced the source meanwhile: this result is for a photo that is gone.
        for (const key of [image.key, face.key, upright?.key]) if (key) await services.blobs.delete(key);
      }
    } catch (error) {
      const rejected = error instanceof SourceRejected;
      if (!rejected) log.error({ err: error, avatarId: id }, 'portrait preprocessing failed');
      const failed = await avatars.updateIfSource(id, sourceKey, {
        status: 'failed',
        error: rejected ? error.message : 'The photo could not be processed because of an internal error; upload it again.',
        preprocessed: false,
        updatedAt: new Date().toISOString(),
        // A refused photo is not the avatar's source: its URL stops answering (an internal error keeps it, to retry).
        ...(rejected ? { sourceKey: null } : {}),
      });
      if (failed && rejected) await services.blobs.delete(sourceKey);
      if (failed) {
        const written = await avatars.findById(id);
        if (written) await announce(avatarFailed(services, written, written.error ?? 'The photo could not be processed.'), id);
      }
    }
  }

  return {
    /** One pass over the waiting avatars; answers how many it looked at. */
    async runOnce(): Promise<number> {
      const ids = await avatars.findLeasable('preprocessing', new Date().toISOString(), 8);
      for (const id of ids) await processOne(id);
      return ids.length;
    },
  };
}
