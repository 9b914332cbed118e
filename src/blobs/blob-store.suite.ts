import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PORTRAIT_FIXTURES, VRM_FIXTURES } from '../../test/fixtures.ts';
import type { BlobStore } from './blob-store.ts';

/** A fresh, empty store for one test, and a way to look just outside the space it owns. */
export interface BlobStoreUnderTest {
  store: BlobStore;
  /**
   * Writes a file where a key escaping the store with `../` would land: `relativePath` is taken
   * from the parent of the store's space (its root folder, or its key prefix in the bucket).
   */
  plantOutside(relativePath: string, data: Buffer): Promise<void>;
  /** The bytes at that place, or null when nothing is there. */
  readOutside(relativePath: string): Promise<Buffer | null>;
  close(): Promise<void>;
}

const PUBLIC_URL = 'https://avatars.example.test';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The behaviour every BlobStore must show; run by each implementation's test file. */
export function blobStoreSuite(name: string, makeStore: (publicUrl: string) => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let under: BlobStoreUnderTest;
    let store: BlobStore;
    beforeEach(async () => {
      under = await makeStore(PUBLIC_URL);
      store = under.store;
    });
    afterEach(async () => {
      await under.close();
    });

    const readBlob = async (key: string, range?: { start: number; end: number }) => {
      const read = await store.get(key, range);
      if (!read) return null;
      const { body, ...info } = read;
      return { info, bytes: await readAll(body) };
    };

    it('stores content at <prefix>/<sha256>.<ext> and reads it back with the content type of the extension', async () => {
      const cases: { ext: string; type: string; data: Buffer }[] = [
        { ext: 'vrm', type: 'model/gltf-binary', data: await fsp.readFile(VRM_FIXTURES.mtoon) },
        { ext: 'png', type: 'image/png', data: await fsp.readFile(PORTRAIT_FIXTURES.cat) },
        { ext: 'jpg', type: 'image/jpeg', data: randomBytes(3000) },
        { ext: 'webp', type: 'image/webp', data: randomBytes(2000) },
        { ext: 'mp4', type: 'video/mp4', data: randomBytes(10_000) },
        { ext: 'json', type: 'application/json', data: Buffer.from(JSON.stringify({ visemes: ['aa', 'ih'] })) },
      ];
      for (const { ext, type, data } of cases) {
        const digest = sha256(data);
        // The caller's content type is a hint; the extension decides, so a key always means one type.
        const info = await store.put('avatars/avt_roundtrip', data, 'application/octet-stream', ext);
        const expected = { key: `avatars/avt_roundtrip/${digest}.${ext}`, size: data.length, contentType: type, etag: `"${digest}"` };
        expect(info).toEqual(expected);
        expect(await store.head(info.key)).toEqual(expected);
        const read = await readBlob(info.key);
        expect(read?.info).toEqual(expected);
        expect(read?.bytes.equals(data)).toBe(true);
      }
    });

    it('gives the same content the same key and other content or another prefix another key', async () => {
      const data = Buffer.from('the same portrait twice');
      const first = await store.put('avatars/avt_same', data, 'image/png', 'png');
      const second = await store.put('avatars/avt_same', Buffer.from(data), 'image/png', 'png');
      expect(second).toEqual(first);
      expect((await readBlob(first.key))?.bytes.toString()).toBe('the same portrait twice');

      const other = await store.put('avatars/avt_same', Buffer.from('another portrait'), 'image/png', 'png');
      expect(other.key).not.toBe(first.key);
      expect(other.etag).not.toBe(first.etag);
      const elsewhere = await store.put('avatars/avt_other', data, 'image/png', 'png');
      expect(elsewhere.key).toBe(first.key.replace('avt_same', 'avt_other'));
      expect(elsewhere.etag).toBe(first.etag);
    });

    it('reads inclusive byte ranges: the first bytes, the middle, the last byte, to the end', async () => {
      const data = randomBytes(1000);
      const { key } = await store.put('avatars/avt_range', data, 'video/mp4', 'mp4');
      const ranges = [
        { start: 0, end: 0 },
        { start: 0, end: 99 },
        { start: 400, end: 599 },
        { start: 999, end: 999 },
        { start: 900, end: 999 },
        { start: 0, end: 999 },
      ];
      for (const range of ranges) {
        const read = await readBlob(key, range);
        expect(read?.bytes.equals(data.subarray(range.start, range.end + 1)), JSON.stringify(range)).toBe(true);
        // The info describes the whole blob, whatever part of it is streamed.
        expect(read?.info.size).toBe(1000);
        expect(read?.info.etag).toBe(`"${sha256(data)}"`);
      }
      // An end past the last byte stops at the last byte, as HTTP ranges do.
      expect((await readBlob(key, { start: 990, end: 5000 }))?.bytes.equals(data.subarray(990))).toBe(true);
    });

    it('answers null for a well-formed key that holds nothing', async () => {
      const missing = `avatars/avt_none/${sha256(Buffer.from('never stored'))}.vrm`;
      expect(await store.head(missing)).toBeNull();
      expect(await store.get(missing)).toBeNull();
      expect(await store.get(missing, { start: 0, end: 10 })).toBeNull();
      // A stored blob under another extension is not the same key.
      const { key } = await store.put('avatars/avt_none', Buffer.from('x'), 'image/png', 'png');
      expect(await store.head(key.replace(/\.png$/, '.jpg'))).toBeNull();
    });

    it('answers null for keys that are not of its shape and never reads outside its space', async () => {
      const secret = Buffer.from('a file beside the blob store');
      const digest = sha256(secret);
      const outsidePath = `outside/${digest}.png`;
      await under.plantOutside(outsidePath, secret);
      const { key } = await store.put('avatars/avt_shape', secret, 'image/png', 'png');

      const invalidKeys = [
        `../${outsidePath}`,
        `avatars/../../${outsidePath}`,
        `avatars/%2e%2e/${digest}.png`,
        `/${outsidePath}`,
        `/avatars/avt_shape/${digest}.png`,
        `avatars/./avt_shape/${digest}.png`,
        `avatars//avt_shape/${digest}.png`,
        `avatars\\avt_shape\\${digest}.png`,
        `${digest}.png`,
        `avatars/avt_shape/${digest.toUpperCase()}.png`,
        `avatars/avt_shape/${digest.slice(1)}.png`,
        `avatars/avt_shape/${digest}`,
        `avatars/avt_shape/${digest}.png/..`,
        `avatars/avt_shape/${digest}.png\n`,
        `${key}.tmp`,
        '',
      ];
      for (const bad of invalidKeys) {
        expect(await store.head(bad), bad).toBeNull();
        expect(await store.get(bad), bad).toBeNull();
        expect(await store.get(bad, { start: 0, end: 3 }), bad).toBeNull();
      }
      expect((await under.readOutside(outsidePath))?.equals(secret)).toBe(true);
    });

    it('refuses to put under a prefix or extension that would make a bad key, writing nothing', async () => {
      const data = Buffer.from('should not land anywhere');
      const digest = sha256(data);
      const attempts: [string, string][] = [
        ['../outside', 'png'],
        ['/outside', 'png'],
        ['avatars/../../outside', 'png'],
        ['', 'png'],
        ['avatars/avt_bad/', 'png'],
        ['avatars/avt_bad', 'png/../../x'],
        ['avatars/avt_bad', 'PNG'],
        ['avatars/avt_bad', ''],
      ];
      for (const [prefix, ext] of attempts) {
        await expect(store.put(prefix, data, 'image/png', ext), `${prefix} ${ext}`).rejects.toThrow(/invalid blob key/i);
      }
      expect(await under.readOutside(`outside/${digest}.png`)).toBeNull();
      expect(await store.head(`avatars/avt_bad/${digest}.png`)).toBeNull();
    });

    it('delete removes one blob, leaves its neighbours, and is quiet about missing or foreign keys', async () => {
      const gone = await store.put('avatars/avt_del', Buffer.from('old preview'), 'image/png', 'png');
      const kept = await store.put('avatars/avt_del', Buffer.from('new preview'), 'image/png', 'png');
      const sameBytesElsewhere = await store.put('avatars/avt_del2', Buffer.from('old preview'), 'image/png', 'png');
      await store.delete(gone.key);
      expect(await store.head(gone.key)).toBeNull();
      expect(await store.get(gone.key)).toBeNull();
      expect(await store.head(kept.key)).toEqual(kept);
      expect(await store.head(sameBytesElsewhere.key)).toEqual(sameBytesElsewhere);
      await store.delete(gone.key);

      const secret = Buffer.from('beside the store, not to be deleted');
      const outsidePath = `outside/${sha256(secret)}.png`;
      await under.plantOutside(outsidePath, secret);
      for (const bad of [`../${outsidePath}`, `avatars/../../${outsidePath}`, `/${outsidePath}`, 'avatars/avt_del', '']) {
        await store.delete(bad);
      }
      expect((await under.readOutside(outsidePath))?.equals(secret)).toBe(true);
      expect(await store.head(kept.key)).toEqual(kept);
    });

    it("deletePrefix removes exactly one avatar's files, not those of an avatar whose id extends it", async () => {
      const abc = [
        await store.put('avatars/avt_abc', Buffer.from('abc model'), 'model/gltf-binary', 'vrm'),
        await store.put('avatars/avt_abc', Buffer.from('abc portrait'), 'image/png', 'png'),
        await store.put('avatars/avt_abc/previews', Buffer.from('abc preview'), 'image/png', 'png'),
      ];
      const abcd = [
        await store.put('avatars/avt_abcd', Buffer.from('abcd model'), 'model/gltf-binary', 'vrm'),
        await store.put('avatars/avt_abcd/previews', Buffer.from('abcd preview'), 'image/png', 'png'),
      ];
      const ab = await store.put('avatars/avt_ab', Buffer.from('ab model'), 'model/gltf-binary', 'vrm');

      await store.deletePrefix('avatars/avt_abc');
      for (const blob of abc) {
        expect(await store.head(blob.key), blob.key).toBeNull();
        expect(await store.get(blob.key), blob.key).toBeNull();
      }
      for (const blob of [...abcd, ab]) expect(await store.head(blob.key), blob.key).toEqual(blob);
      expect((await readBlob(abcd[0].key))?.bytes.toString()).toBe('abcd model');

      // Again, and for an avatar that never stored anything: nothing to do, no error.
      await store.deletePrefix('avatars/avt_abc');
      await store.deletePrefix('avatars/avt_never');
      for (const blob of [...abcd, ab]) expect(await store.head(blob.key), blob.key).toEqual(blob);
    });

    it('deletePrefix ignores prefixes that are not plain folders and deletes nothing', async () => {
      const kept = await store.put('avatars/avt_kept', Buffer.from('kept'), 'image/png', 'png');
      const beside = Buffer.from('beside the store');
      const besidePath = `outside/${sha256(beside)}.png`;
      await under.plantOutside(besidePath, beside);
      for (const bad of ['', '/', '//', '../outside', '..', '.', 'avatars/..', 'avatars/../..', '/avatars', 'avatars/', 'avatars/*']) {
        await store.deletePrefix(bad);
        expect(await store.head(kept.key), JSON.stringify(bad)).toEqual(kept);
      }
      expect((await under.readOutside(besidePath))?.equals(beside)).toBe(true);
    });

    it('gives URLs under the public URL /blobs route', async () => {
      const { key } = await store.put('avatars/avt_url', Buffer.from('u'), 'application/json', 'json');
      expect(store.url(key)).toBe(`${PUBLIC_URL}/blobs/${key}`);
    });

    it('keeps a 5 MiB blob intact, whole and in a range across the middle', async () => {
      const data = randomBytes(5 * 1024 * 1024);
      const info = await store.put('avatars/avt_large', data, 'model/gltf-binary', 'vrm');
      expect(info.size).toBe(data.length);
      expect(await store.head(info.key)).toEqual(info);
      const whole = await readBlob(info.key);
      expect(whole?.bytes.length).toBe(data.length);
      expect(sha256(whole!.bytes)).toBe(sha256(data));
      const middle = { start: 2 * 1024 * 1024 - 7, end: 3 * 1024 * 1024 + 7 };
      const part = await readBlob(info.key, middle);
      expect(part?.bytes.equals(data.subarray(middle.start, middle.end + 1))).toBe(true);
    });
  });
}
