import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import { avatarBlobPrefix } from '../domain/blob-prefixes.ts';
import { preprocessPortrait, turnStoredPortrait } from '../sources/portrait/index.ts';
import { SourceRejected } from '../sources/source-rejected.ts';
import { avatarFailed, avatarReady } from '../domain/webhooks/lifecycle-events.ts';
import { withEvents } from '../domain/webhooks/with-events.ts';
import type { AvatarRecord } from '../store/avatars.ts';

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

  /**
   * The avatar's outcome and its avatar.ready or avatar.failed, written in one transaction while the avatar still has
   * the source this run read; false when a newer upload replaced it. Should this throw, the avatar stays
   * `preprocessing` and is taken up again when the lease runs out.
   */
  const settle = (id: string, sourceKey: string, changes: Partial<AvatarRecord>) =>
    withEvents(services, async (tx) => {
      if (!(await tx.store.avatars.updateIfSource(id, sourceKey, changes))) return false;
      const written = await tx.store.avatars.findById(id);
      if (written?.status === 'ready') await avatarReady(tx, written);
      else if (written) await avatarFailed(tx, written, written.error ?? 'The photo could not be processed.');
      return true;
    });

  async function processOne(id: string): Promise<void> {
    const now = new Date();
    if (!(await avatars.claimLease(id, owner, now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString()))) return;
    const avatar = await avatars.findById(id);
    if (avatar?.status !== 'preprocessing' || !avatar.sourceKey) return;
    const sourceKey = avatar.sourceKey;
    const source = await services.blobs.get(sourceKey);
    if (!source) {
      await settle(id, sourceKey, {
        status: 'failed',
        error: 'The uploaded photo was lost before it could be processed; upload it again.',
      });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of source.body) chunks.push(chunk as Buffer);
    let outcome: { changes: Partial<AvatarRecord>; made: string[]; dropUpload: boolean };
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
      outcome = {
        changes: {
          status: 'ready',
          preprocessed: true,
          error: null,
          sourceInfo: { ...info },
          artifact: { imageKey: image.key, faceKey: face.key },
          ...(upright ? { sourceKey: upright.key } : {}),
          updatedAt: new Date().toISOString(),
        },
        made: [image.key, face.key, ...(upright ? [upright.key] : [])],
        dropUpload: upright !== null,
      };
    } catch (error) {
      const rejected = error instanceof SourceRejected;
      if (!rejected) log.error({ err: error, avatarId: id }, 'portrait preprocessing failed');
      outcome = {
        changes: {
          status: 'failed',
          error: rejected ? error.message : 'The photo could not be processed because of an internal error; upload it again.',
          preprocessed: false,
          updatedAt: new Date().toISOString(),
          // A refused photo is not the avatar's source: its URL stops answering (an internal error keeps it, to retry).
          ...(rejected ? { sourceKey: null } : {}),
        },
        made: [],
        dropUpload: rejected,
      };
    }
    if (await settle(id, sourceKey, outcome.changes)) {
      // The upload's own file goes once nothing points at it: replaced by its upright copy, or refused.
      if (outcome.dropUpload) await services.blobs.delete(sourceKey);
    } else {
      // A newer upload replaced the source meanwhile: this result is for a photo that is gone.
      for (const key of outcome.made) await services.blobs.delete(key);
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
