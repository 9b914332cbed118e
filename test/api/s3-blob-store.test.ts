import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { startS3rver, type S3rverInstance } from '../harness/s3rver.ts';
import { expectError } from '../harness/expect-error.ts';
import { PORTRAIT_FIXTURES, VRM_FIXTURES } from '../fixtures.ts';

const vrm = fs.readFileSync(VRM_FIXTURES.overrides);
const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

/** The whole API on an S3-compatible bucket (a real s3rver from npm) instead of local disk: BLOB_STORE=s3. */
describe('the API with BLOB_STORE=s3', () => {
  let s3: S3rverInstance;
  let server: TestServer;
  let owner: TestKey;

  beforeAll(async () => {
    s3 = await startS3rver('avatars-api');
    server = await startTestServer('sqlite', {
      BLOB_STORE: 's3',
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      S3_PREFIX: 'tenant-a',
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_TIMEOUT_MS: '2000',
    });
    owner = await server.makeKey('owner', 'org_s3');
  });
  afterAll(async () => {
    await server?.close();
    await s3?.remove();
  });

  const create = async (name: string, tier: string) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name, tier } })).body;
  const upload = (id: string, raw: Buffer, contentType: string) =>
    server.api('POST', `/api/v1/avatars/${id}/source`, { key: owner, raw, headers: { 'content-type': contentType } });
  /** The portrait once the background preprocessing is done with it, ready or failed. */
  const preprocessed = async (id: string) => {
    let portrait = (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
    for (let i = 0; i < 200 && portrait.status === 'preprocessing'; i++) {
      await server.server.loop.settle();
      portrait = (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
    }
    return portrait;
  };

  it('stores, serves (with ranges) and deletes sources in the bucket, and preprocesses portraits from it', async () => {
    const a = await create('S3', 'stylized_3d');
    const model = await upload(a._id, vrm, 'model/gltf-binary');
    expect(model.status).toBe(200);
    const file = await fetch(model.body.url);
    expect(file.headers.get('content-type')).toBe('model/gltf-binary');
    expect(Buffer.from(await file.arrayBuffer()).equals(vrm)).toBe(true);
    const ranged = await fetch(model.body.url, { headers: { range: 'bytes=0-3' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).toString()).toBe('glTF');

    const p = await create('S3 portrait', 'animated_portrait');
    await upload(p._id, astronaut, 'image/png');
    expect(await preprocessed(p._id)).toMatchObject({ status: 'ready', preprocessed: true });

    expect((await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner })).status).toBe(200);
    expect((await fetch(model.body.url)).status).toBe(404);
  });

  it('serves sources with nosniff, a sandbox CSP and as downloads, portraits without EXIF, and stops serving a refused photo', async () => {
    const a = await create('S3 safe', 'stylized_3d');
    const model = await upload(a._id, vrm, 'model/gltf-binary');
    const file = await fetch(model.body.url);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${a._id}.vrm"`);

    const p = await create('S3 cat', 'animated_portrait');
    const catWithExif = await sharp(fs.readFileSync(PORTRAIT_FIXTURES.cat))
      .jpeg()
      .withExif({ IFD0: { Artist: 'Jane Doe' } })
      .toBuffer();
    const photo = await upload(p._id, catWithExif, 'image/jpeg');
    const served = Buffer.from(await (await fetch(photo.body.url)).arrayBuffer());
    expect((await sharp(served).metadata()).exif).toBeUndefined();
    expect(served.includes(Buffer.from('Jane Doe'))).toBe(false);
    expect(await preprocessed(p._id)).toMatchObject({ status: 'failed', sourceImage: null });
    expect((await fetch(photo.body.url)).status).toBe(404);
  });

  it('answers 503 while the bucket cannot be reached, and keeps the avatar as it was', async () => {
    const a = await create('S3 down', 'stylized_3d');
    const stored = await upload(a._id, vrm, 'model/gltf-binary');
    await s3.stop();
    expectError(await upload(a._id, vrm, 'model/gltf-binary'), 503, 'service-unavailable');
    expect((await fetch(stored.body.url)).status).toBe(503);
    // The avatar still points at the file it had.
    expect((await server.api('GET', `/api/v1/avatars/${a._id}`, { key: owner })).body.sourceModel).toBe(stored.body.url);
  });
});
