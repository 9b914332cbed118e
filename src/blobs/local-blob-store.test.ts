import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobStoreSuite } from './blob-store.suite.ts';
import { createLocalBlobStore } from './local-blob-store.ts';

blobStoreSuite('local disk', async (publicUrl) => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'local-blobs-'));
  // The store owns dir/blobs; dir itself is "outside", where an escaping key would land.
  return {
    store: createLocalBlobStore({ root: path.join(dir, 'blobs'), publicUrl }),
    async plantOutside(relativePath, data) {
      await fsp.mkdir(path.dirname(path.join(dir, relativePath)), { recursive: true });
      await fsp.writeFile(path.join(dir, relativePath), data);
    },
    async readOutside(relativePath) {
      return fsp.readFile(path.join(dir, relativePath)).catch(() => null);
    },
    async close() {
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
});

describe('local blob store on disk', () => {
  it('leaves no temporary file beside a stored blob', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'local-blobs-'));
    try {
      const store = createLocalBlobStore({ root: dir, publicUrl: 'http://x' });
      const info = await store.put('avatars/avt_tmp', Buffer.from('atomic'), 'image/png', 'png');
      expect(await fsp.readdir(path.join(dir, 'avatars/avt_tmp'))).toEqual([path.basename(info.key)]);
      expect(await fsp.readFile(path.join(dir, info.key), 'utf8')).toBe('atomic');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
