import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BlobInfo, BlobRead, BlobStore } from './blob-store.ts';
import { BLOB_PREFIX_PATTERN } from './blob-prefix.ts';
import { BLOB_KEY_PATTERN, contentTypeOf } from './content-types.ts';

/** Blobs as files under `<dataDir>/blobs`, written atomically (temp file, fsync, rename). */
export function createLocalBlobStore(options: { root: string; publicUrl: string }): BlobStore {
  const root = path.resolve(options.root);
  const fileOf = (key: string) => {
    if (!BLOB_KEY_PATTERN.test(key)) return null;
    return path.join(root, key);
  };
  const infoOf = (key: string, size: number): BlobInfo => ({
    key,
    size,
    contentType: contentTypeOf(key),
    etag: `"${key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('.'))}"`,
  });

  return {
    kind: 'local',
    async put(prefix, data, _contentType, extension) {
      const digest = createHash('sha256').update(data).digest('hex');
      const key = `${prefix}/${digest}.${extension}`;
      const file = fileOf(key);
      if (!file) throw new Error(`Invalid blob key ${key}`);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await fsp.open(temp, 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, file);
      return infoOf(key, data.length);
    },
    async head(key) {
      const file = fileOf(key);
      if (!file) return null;
      try {
        const stat = await fsp.stat(file);
        return infoOf(key, stat.size);
      } catch {
        return null;
      }
    },
    async get(key, range) {
      const info = await this.head(key);
      if (!info) return null;
      const body = fs.createReadStream(fileOf(key)!, range ? { start: range.start, end: range.end } : {});
      return { ...info, body } satisfies BlobRead;
    },
    async delete(key) {
      const file = fileOf(key);
      if (file) await fsp.rm(file, { force: true });
    },
    async deletePrefix(prefix) {
      // Not merely safe characters: "/" passed that test and removed the whole store.
      if (!BLOB_PREFIX_PATTERN.test(prefix)) return;
      await fsp.rm(path.join(root, prefix), { recursive: true, force: true });
    },
    url(key) {
      return `${options.publicUrl}/blobs/${key}`;
    },
  };
}
