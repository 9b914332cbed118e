import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { startTestServer, type TestKey } from '../../../harness/test-server.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { answerProblems } from '../../../harness/response-schema.ts';
import { PORTRAIT_FIXTURES, VRM_FIXTURES } from '../../../fixtures.ts';
import { turnedInPixels } from '../../../harness/hard-portraits.ts';

const vrm0 = fs.readFileSync(VRM_FIXTURES.v0);
const vrm1 = fs.readFileSync(VRM_FIXTURES.overrides);
const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);
const cat = fs.readFileSync(PORTRAIT_FIXTURES.cat);

describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/source (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'owner', 'org_src');
  const create = async (tier: string, extra: Record<string, unknown> = {}) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Src', tier, ...extra } })).body;
  const upload = (id: string, data: Buffer, type = 'application/octet-stream', key: TestKey = owner) =>
    server.api('POST', `/api/v1/avatars/${id}/source`, { key, raw: data, headers: { 'content-type': type } });
  const uploadMultipart = async (id: string, data: Buffer, field = 'file') => {
    const form = new FormData();
    form.append(field, new Blob([new Uint8Array(data)]), 'model.vrm');
    const response = await fetch(`${server.url}/api/v1/avatars/${id}/source`, {
      method: 'POST',
      headers: { 'x-api-key': owner.key },
      body: form,
    });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  const get = async (id: string) => (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
  const settle = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      await server.server.loop.settle();
      const a = await get(id);
      if (a.status !== 'preprocessing') return a;
    }
    throw new Error('preprocessing did not finish');
  };

  describe('happy', () => {
    it('takes a VRM 0.x as a raw body: ready at once, preprocessed false, sourceInfo filled, file served', async () => {
      const a = await create('stylized_3d');
      const answer = await upload(a._id, vrm0, 'model/gltf-binary');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ field: 'sourceModel', size: vrm0.length });
      const after = await get(a._id);
      expect(after).toMatchObject({ status: 'ready', preprocessed: false, sourceModel: answer.body.url, error: null });
      expect(after.sourceInfo).toMatchObject({ vrmVersion: '0.x', visemes: ['aa', 'ih', 'ou', 'ee', 'oh'], blink: true });
      expect(after.sourceInfo.humanoidBones).toHaveLength(52);

      const file = await fetch(answer.body.url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('model/gltf-binary');
      expect(file.headers.get('cache-control')).toContain('immutable');
      const etag = file.headers.get('etag')!;
      expect(Buffer.from(await file.arrayBuffer()).equals(vrm0)).toBe(true);
      const ranged = await fetch(answer.body.url, { headers: { range: 'bytes=0-3' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).toString()).toBe('glTF');
      expect(ranged.headers.get('content-range')).toBe(`bytes 0-3/${vrm0.length}`);
      expect((await fetch(answer.body.url, { headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await fetch(answer.body.url, { headers: { range: `bytes=${vrm0.length + 10}-` } })).status).toBe(416);

      // The contract's Tier 1 preview: the model URL, to render client-side.
      const preview = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
      expect(preview.body).toEqual({
        avatarId: a._id,
        previewUrl: answer.body.url,
        tier: 'stylized_3d',
        message: 'Tier 1 avatars render client-side. Use the VRM model URL directly.',
      });
    });

    it('takes a VRM 1.0 as multipart field "file" and replaces the previous model', async () => {
      const a = await create('stylized_3d');
      const first = await uploadMultipart(a._id, vrm0);
      expect(first.status).toBe(200);
      const second = await uploadMultipart(a._id, vrm1);
      expect(second.status).toBe(200);
      const after = await get(a._id);
      expect(after.sourceModel).toBe(second.body.url);
      expect(after.sourceInfo).toMatchObject({ vrmVersion: '1.0', expressions: ['happy', 'blink'] });
      expect(after.sourceInfo.warnings.join(' ')).toMatch(/viseme/i);
      expect((await fetch(first.body.url)).status).toBe(404);
    });

    it('preprocesses a portrait: preprocessing, then ready with preprocessed true and the face found', async () => {
      const a = await create('animated_portrait');
      const answer = await upload(a._id, astronaut, 'image/png');
      expect(answer.status).toBe(200);
      // What is stored is the photo re-encoded without its metadata: the size is the served file's.
      expect(answer.body.field).toBe('sourceImage');
      expect(answer.body.size).toBe((await (await fetch(answer.body.url)).arrayBuffer()).byteLength);
      expect(['preprocessing', 'ready']).toContain((await get(a._id)).status);
      const done = await settle(a._id);
      expect(done).toMatchObject({ status: 'ready', preprocessed: true, error: null, sourceImage: answer.body.url, sourceModel: null });
      expect(done.sourceInfo).toMatchObject({ width: 512, height: 512, face: { landmarks: 478 } });
      const [x, y, w, h] = done.sourceInfo.face.box;
      expect(x).toBeGreaterThan(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(512);
      expect(y + h).toBeLessThanOrEqual(512);
      // The rendering container's input is stored beside the source.
      const row = await server.server.services.store.db
        .selectFrom('avatars')
        .select('artifact')
        .where('id', '=', a._id)
        .executeTakeFirstOrThrow();
      const artifact = JSON.parse(row.artifact!);
      const face = await (await fetch(server.server.services.blobs.url(artifact.faceKey))).json();
      expect(face.landmarks).toHaveLength(478);
    });

    it('serves a photo whose face was turned in its pixels turned upright, as the avatar shows it', async () => {
      // Not square, so that a quarter turn shows in the sizes too: 512 wide, 400 high, turned to lie on its side.
      const upright = await sharp(astronaut).extract({ left: 0, top: 0, width: 512, height: 400 }).png().toBuffer();
      const a = await create('animated_portrait');
      const answer = await upload(a._id, await turnedInPixels(upright, 90), 'image/png');
      expect(answer.status).toBe(200);
      const done = await settle(a._id);
      expect(done).toMatchObject({ status: 'ready', sourceInfo: { width: 512, height: 400 } });
      expect(done.sourceInfo.warnings.join(' ')).toMatch(/turned 90° clockwise/);
      // The source is the upright photo now, pixel for pixel (PNG stays lossless), at a new URL; the upload's is gone.
      expect(done.sourceImage).not.toBe(answer.body.url);
      const served = await fetch(done.sourceImage);
      expect(served.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await served.arrayBuffer());
      const raw = async (image: Buffer) => sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const [got, want] = await Promise.all([raw(bytes), raw(upright)]);
      expect(got.info).toMatchObject({ width: 512, height: 400 });
      expect(got.data.equals(want.data)).toBe(true);
      expect((await fetch(answer.body.url)).status).toBe(404);
      // An upright upload keeps its file and URL (the happy case above).
    }, 60_000);
  });

  describe('error', () => {
    it('refuses an invalid VRM with 422 invalid-source and changes nothing', async () => {
      const a = await create('stylized_3d');
      const good = await upload(a._id, vrm1);
      const before = await get(a._id);
      const truncated = vrm1.subarray(0, vrm1.length - 100);
      const answer = await upload(a._id, truncated);
      expectError(answer, 422, 'invalid-source');
      expect(await get(a._id)).toEqual(before);
      expect((await fetch(good.body.url)).status).toBe(200);
      const badMagic = Buffer.from(vrm1);
      badMagic.write('gLTF', 0);
      expectError(await upload(a._id, badMagic), 422, 'invalid-source');
    });

    it('refuses a photo for a VRM avatar, saying which source the tier takes', async () => {
      const a = await create('stylized_3d');
      const answer = await upload(a._id, astronaut, 'image/png');
      expectError(answer, 422, 'invalid-source');
      expect(answer.body.error).toMatch(/stylized_3d avatar takes a VRM model/);
    });

    it("refuses an orb avatar's upload with 409", async () => {
      const a = await create('stylized_3d', { renderStyle: 'orb' });
      expectError(await upload(a._id, vrm1), 409, 'conflict');
    });

    it('refuses a model over the size limit with 413', async () => {
      const small = await startTestServer(kind, { MAX_VRM_MB: '1' });
      try {
        const k = await small.makeKey('o', 'org');
        const a = (await small.api('POST', '/api/v1/avatars', { key: k, body: { name: 'x', tier: 'stylized_3d' } })).body;
        const big = Buffer.concat([vrm1, Buffer.alloc(1024 * 1024)]);
        const answer = await small.api('POST', `/api/v1/avatars/${a._id}/source`, {
          key: k,
          raw: big,
          headers: { 'content-type': 'model/gltf-binary' },
        });
        expectError(answer, 413, 'payload-too-large');
        expect(answer.body.error).toContain('1 MiB');
      } finally {
        await small.close();
      }
    });

    it('answers 413 to a declared length over the limit before any of the body is sent, and to a chunked body past it', async () => {
      const small = await startTestServer(kind, { MAX_VRM_MB: '1', MAX_IMAGE_MB: '1' });
      try {
        const k = await small.makeKey('o', 'org');
        const a = (await small.api('POST', '/api/v1/avatars', { key: k, body: { name: 'x', tier: 'stylized_3d' } })).body;
        const { hostname, port } = new URL(small.url);
        // Headers only: the answer comes without the server waiting for (or reading) the 100 MB announced.
        const socket = net.connect(Number(port), hostname);
        socket.write(
          `POST /api/v1/avatars/${a._id}/source HTTP/1.1\r\nHost: x\r\nX-API-Key: ${k.key}\r\n` +
            `Content-Type: model/gltf-binary\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`,
        );
        const [head] = (await once(socket, 'data')) as [Buffer];
        socket.destroy();
        expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 413 /);
        expect(head.toString('latin1')).toContain('payload-too-large');

        const chunks = Array.from({ length: 3 }, () => new Uint8Array(512 * 1024));
        const chunked = await fetch(`${small.url}/api/v1/avatars/${a._id}/source`, {
          method: 'POST',
          headers: { 'x-api-key': k.key, 'content-type': 'model/gltf-binary' },
          body: new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.pop()!) : c.close()) }),
          duplex: 'half',
        } as RequestInit);
        expect(chunked.status).toBe(413);
        expect((await chunked.json()).code).toBe('payload-too-large');
      } finally {
        await small.close();
      }
    });

    it('fails a photo without a human face, and a new upload fixes it', async () => {
      const a = await create('realtime_lipsync');
      await upload(a._id, cat, 'image/png');
      const failed = await settle(a._id);
      expect(failed).toMatchObject({ status: 'failed', preprocessed: false });
      expect(failed.error).toMatch(/No human face/);
      expect(failed.sourceImage).toBeNull();
      await upload(a._id, await sharp(astronaut).jpeg().toBuffer(), 'image/jpeg');
      expect(await settle(a._id)).toMatchObject({ status: 'ready', preprocessed: true, error: null });
    });

    it('refuses a VRM for a portrait avatar and a file that is no image', async () => {
      const a = await create('animated_portrait');
      const vrmAnswer = await upload(a._id, vrm1);
      expectError(vrmAnswer, 422, 'invalid-source');
      expect(vrmAnswer.body.error).toMatch(/takes a portrait photo/);
      expectError(await upload(a._id, Buffer.from('just some text')), 422, 'invalid-source');
      expect((await get(a._id)).status).toBe('creating');
    });

    it('refuses JSON or text bodies with 415, an empty body with 422, a wrong multipart field with 400', async () => {
      const a = await create('stylized_3d');
      expectError(
        await server.api('POST', `/api/v1/avatars/${a._id}/source`, { key: owner, body: { file: 'x' } }),
        415,
        'unsupported-media-type',
      );
      expectError(await upload(a._id, Buffer.from('hello'), 'text/plain'), 415, 'unsupported-media-type');
      expectError(await upload(a._id, Buffer.alloc(0)), 422, 'invalid-source');
      const wrongField = await uploadMultipart(a._id, vrm1, 'model');
      expect(wrongField.status).toBe(400);
      expect(wrongField.body.code).toBe('validation-failed');
      const broken = await server.api('POST', `/api/v1/avatars/${a._id}/source`, {
        key: owner,
        raw: 'garbage',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      });
      expect(broken.status).toBe(400);
    });

    it('documents what it answers and takes: the 400 of a wrong multipart field, and every body type (found by the API fuzz)', async () => {
      const { status, body, headers } = await uploadMultipart((await create('stylized_3d'))._id, vrm1, 'model');
      expect(status).toBe(400);
      const answer = { status, contentType: headers.get('content-type') ?? '', text: JSON.stringify(body) };
      const document = (await server.api('GET', '/api/v1/openapi.json')).body;
      expect(answerProblems(document, 'POST', '/api/v1/avatars/{id}/source', answer)).toEqual([]);
      const { requestBody } = document.paths['/api/v1/avatars/{id}/source'].post;
      expect(requestBody.content['multipart/form-data'].schema).toMatchObject({
        required: ['file'],
        properties: { file: { type: 'string', format: 'binary' } },
      });
      for (const type of ['model/gltf-binary', 'model/vrm', 'application/octet-stream', 'image/png', 'image/jpeg', 'image/webp']) {
        expect(requestBody.content[type].schema, type).toMatchObject({ type: 'string', format: 'binary' });
      }
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/avatars/:id/source', { scope: 'avatars:write', avatar: 'owner' });
  });
});
