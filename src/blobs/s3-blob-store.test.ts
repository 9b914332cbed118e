import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3rverInstance } from '../../test/harness/s3rver.ts';
import { blobStoreSuite } from './blob-store.suite.ts';
import { BlobStoreUnavailableError } from './blob-store-unavailable-error.ts';
import { createS3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';

// A real S3 REST server (npm `s3rver`, in a child process), not a mock: the store's requests go
// through the AWS SDK, HTTP and s3rver's S3 semantics (ranges, ListObjectsV2 pages, DeleteObjects).
let s3: S3rverInstance;
let raw: S3Client;
beforeAll(async () => {
  s3 = await startS3rver();
  raw = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
});
afterAll(async () => {
  raw?.destroy();
  await s3?.remove();
});

const storeOn = (server: { endpoint: string; bucket: string }, extra: Partial<S3BlobStoreOptions> = {}) =>
  createS3BlobStore({
    bucket: server.bucket,
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    publicUrl: 'http://api.test',
    ...extra,
  });

const rawRead = async (key: string): Promise<Buffer | null> => {
  try {
    const object = await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return null;
    throw error;
  }
};
const rawKeys = async (prefix: string) =>
  ((await raw.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

blobStoreSuite('S3 (s3rver)', async (publicUrl) => {
  // Each test owns `<run>/store/` in the shared bucket; `<run>/` is "outside", where `../` would land.
  const run = `run_${randomBytes(6).toString('hex')}`;
  const store = storeOn(s3, { prefix: `${run}/store`, publicUrl });
  return {
    store,
    async plantOutside(relativePath, data) {
      await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${run}/${relativePath}`, Body: data }));
    },
    readOutside: (relativePath) => rawRead(`${run}/${relativePath}`),
    async close() {
      store.close();
    },
  };
});

describe('S3 blob store', () => {
  it('writes objects under its key prefix with the content type and an immutable cache policy', async () => {
    const store = storeOn(s3, { prefix: '/tenant_a/' });
    try {
      const info = await store.put('avatars/avt_meta', Buffer.from('{"a":1}'), 'text/plain', 'json');
      const object = await raw.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `tenant_a/${info.key}` }));
      expect(object.ContentType).toBe('application/json');
      expect(object.ContentLength).toBe(7);
      expect(object.CacheControl).toBe('public, max-age=31536000, immutable');
      expect(await rawRead(info.key)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('deletes a prefix holding more blobs than one list page, and only that prefix', async () => {
    const store = storeOn(s3, { prefix: 'paged', pageSize: 2 });
    try {
      const keys: string[] = [];
      for (let i = 0; i < 7; i++) keys.push((await store.put('avatars/avt_many', Buffer.from(`blob ${i}`), 'image/png', 'png')).key);
      const neighbour = await store.put('avatars/avt_many2', Buffer.from('neighbour'), 'image/png', 'png');
      expect(await rawKeys('paged/avatars/avt_many/')).toHaveLength(7);

      await store.deletePrefix('avatars/avt_many');
      expect(await rawKeys('paged/avatars/avt_many/')).toEqual([]);
      for (const key of keys) expect(await store.head(key)).toBeNull();
      expect(await store.head(neighbour.key)).toEqual(neighbour);
    } finally {
      store.close();
    }
  });

  it('keeps two installations sharing a bucket apart by prefix', async () => {
    const one = storeOn(s3, { prefix: 'install_one' });
    const two = storeOn(s3, { prefix: 'install_two' });
    try {
      const data = Buffer.from('same avatar id, same bytes, two installations');
      const a = await one.put('avatars/avt_shared', data, 'image/png', 'png');
      const b = await two.put('avatars/avt_shared', data, 'image/png', 'png');
      expect(b.key).toBe(a.key);
      await one.deletePrefix('avatars/avt_shared');
      expect(await one.head(a.key)).toBeNull();
      expect(await two.head(b.key)).toEqual(b);
    } finally {
      one.close();
      two.close();
    }
  });

  it('rejects a missing bucket as an error, not as a missing blob', async () => {
    const store = storeOn({ endpoint: s3.endpoint, bucket: 'no-such-bucket' });
    try {
      const key = `avatars/avt_x/${'a'.repeat(64)}.png`;
      const failure = await store.get(key).then(
        () => null,
        (error: Error) => error,
      );
      expect(failure?.name).toBe('NoSuchBucket');
      expect(failure).not.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.put('avatars/avt_x', Buffer.from('x'), 'image/png', 'png')).rejects.toThrow(/bucket/i);
    } finally {
      store.close();
    }
  });

  it('refuses incomplete or unsafe options', () => {
    const base = { bucket: 'b', publicUrl: 'http://api.test' };
    expect(() => createS3BlobStore({ ...base, bucket: '' })).toThrow(/bucket/);
    expect(() => createS3BlobStore({ ...base, accessKeyId: 'only-the-id' })).toThrow(/both/);
    expect(() => createS3BlobStore({ ...base, secretAccessKey: 'only-the-secret' })).toThrow(/both/);
    expect(() => createS3BlobStore({ ...base, prefix: '../elsewhere' })).toThrow(/prefix/);
    expect(() => createS3BlobStore({ ...base, prefix: 'a//b' })).toThrow(/prefix/);
  });
});

describe('S3 blob store when the server fails', () => {
  it('rejects every operation once the server has stopped', { timeout: 20_000 }, async () => {
    const doomed = await startS3rver('doomed');
    const store = storeOn(doomed);
    try {
      const info = await store.put('avatars/avt_down', Buffer.from('stored before the outage'), 'image/png', 'png');
      expect(await store.head(info.key)).toEqual(info);
      await doomed.stop();

      await expect(store.head(info.key)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.get(info.key)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.get(info.key, { start: 0, end: 1 })).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.put('avatars/avt_down', Buffer.from('new'), 'image/png', 'png')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.delete(info.key)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.deletePrefix('avatars/avt_down')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
    } finally {
      store.close();
      await doomed.remove();
    }
  });

  it('rejects instead of waiting forever on a server that accepts connections and never answers', { timeout: 20_000 }, async () => {
    const sockets = new Set<net.Socket>();
    let accepted = 0;
    const silent = net.createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume(); // swallow the request, answer nothing
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const store = storeOn({ endpoint: `http://127.0.0.1:${port}`, bucket: 'b' }, { operationTimeoutMs: 500, idleTimeoutMs: 500 });
    try {
      const key = `avatars/avt_silent/${'b'.repeat(64)}.vrm`;
      await expect(store.head(key)).rejects.toThrow(/unavailable \(head\): no answer within 500 ms/);
      await expect(store.get(key, { start: 0, end: 9 })).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      await expect(store.deletePrefix('avatars/avt_silent')).rejects.toBeInstanceOf(BlobStoreUnavailableError);
      // An upload has no overall deadline (a large model may take a while); the idle timeout ends it.
      await expect(store.put('avatars/avt_silent', randomBytes(1024), 'model/gltf-binary', 'vrm')).rejects.toBeInstanceOf(
        BlobStoreUnavailableError,
      );
      // The failures came from waiting, not from a refused connection.
      expect(accepted).toBeGreaterThan(0);
    } finally {
      store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
