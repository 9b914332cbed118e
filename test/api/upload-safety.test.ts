import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { hostileVrm, vrmWithExtraNodes } from '../harness/hostile-vrm.ts';
import { PORTRAIT_FIXTURES, VRM_FIXTURES } from '../fixtures.ts';
import type { Actor } from '../../src/domain/context.ts';

const vrm1 = fs.readFileSync(VRM_FIXTURES.overrides);
const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

/** A phone-like JPEG: 512 wide, 400 high, EXIF orientation 6 (shown 400x512), a GPS position and a camera owner. */
async function phonePhoto(): Promise<Buffer> {
  return sharp(astronaut)
    .extract({ left: 0, top: 0, width: 512, height: 400 })
    .jpeg()
    .withExif({
      IFD0: { Artist: 'Jane Doe' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 2649/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3951/100' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

const actorOf = (key: TestKey): Actor => ({
  keyId: key.id,
  userId: key.userId,
  organizationId: key.organizationId,
  scopes: ['avatars:write'],
});

describe.each(STORE_KINDS)('upload safety (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  const create = async (tier: string, key: TestKey = owner, on: TestServer = server) =>
    (await on.api('POST', '/api/v1/avatars', { key, body: { name: 'Safe', tier } })).body;
  const upload = (id: string, data: Buffer, key: TestKey = owner, on: TestServer = server) =>
    on.api('POST', `/api/v1/avatars/${id}/source`, { key, raw: data, headers: { 'content-type': 'application/octet-stream' } });
  const get = async (id: string) => (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;

  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await server.makeKey('owner', 'org_safe');
  });
  afterAll(() => server.close());
  afterEach(() => vi.restoreAllMocks());

  describe('hostile models', () => {
    it('refuses the 780,000-node VRM with 422, changes nothing, stores nothing, and parses it off the API thread', async () => {
      const a = await create('stylized_3d');
      await upload(a._id, vrm1);
      const before = await get(a._id);
      const parse = vi.spyOn(JSON, 'parse');
      const hostile = upload(a._id, hostileVrm());
      const whoami = await server.api('GET', '/api/v1/auth/whoami', { key: owner });
      expect(whoami.status).toBe(200);
      const answer = await hostile;
      expectError(answer, 422, 'invalid-source');
      expect(answer.body.error).toMatch(/more than 1,000,000 values/);
      // The server runs in this thread: had it parsed the model, JSON.parse would have seen its text here.
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('"n779999"'))).toEqual([]);
      expect(await get(a._id)).toEqual(before);
      if (kind === 'sqlite') {
        const folders = fs.readdirSync(path.join(server.config.dataDir, 'blobs', 'avatars', a._id, 'source'));
        expect(folders).toHaveLength(1); // the good model's, and nothing of the refused one
      }
    });

    it('names the element limit a model breaks', async () => {
      const a = await create('stylized_3d');
      const answer = await upload(a._id, vrmWithExtraNodes(10_000));
      expectError(answer, 422, 'invalid-source');
      expect(answer.body.error).toBe('The model has 10,070 nodes; at most 10,000 are allowed.');
    });
  });

  describe('concurrent uploads', () => {
    it('past the per-organization bound, an upload waits its turn and then goes through', async () => {
      const a = await create('stylized_3d');
      const gate = server.server.services.uploads;
      const leave = await gate.enter(actorOf(owner)); // the organization's one slot, as a running upload holds it
      const waiting = upload(a._id, vrm1);
      for (let i = 0; i < 200 && gate.load.waiting === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(gate.load).toEqual({ running: 1, waiting: 1 });
      // Another organization has room meanwhile.
      const other = await server.makeKey('other', 'org_other');
      const b = await create('stylized_3d', other);
      expect((await upload(b._id, vrm1, other)).status).toBe(200);
      expect(gate.load.waiting).toBe(1);
      leave();
      expect((await waiting).status).toBe(200);
      expect(gate.load).toEqual({ running: 0, waiting: 0 });
    });

    it('answers 429 rate-limited with Retry-After when the wait is over, and the avatar keeps its source', async () => {
      const busy = await startTestServer(kind, { UPLOADS_QUEUE_WAIT_MS: '0', UPLOADS_CONCURRENT: '1' });
      try {
        const key = await busy.makeKey('u', 'org_busy');
        const a = await create('stylized_3d', key, busy);
        const leave = await busy.server.services.uploads.enter(actorOf(await busy.makeKey('x', 'org_x')));
        const refused = await upload(a._id, vrm1, key, busy);
        expectError(refused, 429, 'rate-limited');
        expect(refused.headers.get('retry-after')).toBe('5');
        expect(refused.body.error).toMatch(/source uploads/);
        expect((await busy.api('GET', `/api/v1/avatars/${a._id}`, { key })).body.sourceModel).toBeNull();
        leave();
        expect((await upload(a._id, vrm1, key, busy)).status).toBe(200);
      } finally {
        await busy.close();
      }
    });
  });

  describe('served files', () => {
    it('serves sources as nosniff, sandboxed downloads', async () => {
      const a = await create('stylized_3d');
      const answer = await upload(a._id, vrm1);
      const file = await fetch(answer.body.url);
      expect(file.status).toBe(200);
      expect(file.headers.get('x-content-type-options')).toBe('nosniff');
      expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${a._id}.vrm"`);
      const missing = await fetch(`${server.url}/blobs/avatars/${a._id}/source/x/${'0'.repeat(64)}.vrm`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('serves a portrait without its EXIF (GPS included), upright', async () => {
      const photo = await phonePhoto();
      expect(await sharp(photo).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer) });
      expect(photo.includes(Buffer.from('Jane Doe'))).toBe(true);
      const a = await create('animated_portrait');
      const answer = await upload(a._id, photo);
      expect(answer.status).toBe(200);
      const file = await fetch(answer.body.url);
      const served = Buffer.from(await file.arrayBuffer());
      expect(answer.body.size).toBe(served.length);
      const meta = await sharp(served).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 400, height: 512 });
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(served.includes(Buffer.from('Jane Doe'))).toBe(false);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
    });

    it('refuses an image that does not decode at upload, storing nothing', async () => {
      const a = await create('animated_portrait');
      const answer = await upload(a._id, astronaut.subarray(0, astronaut.length - 200));
      expectError(answer, 422, 'invalid-source');
      expect(await get(a._id)).toMatchObject({ status: 'creating', sourceImage: null });
    });

    it('stops serving a photo that preprocessing refused', async () => {
      const a = await create('realtime_lipsync');
      const answer = await upload(a._id, fs.readFileSync(PORTRAIT_FIXTURES.cat));
      expect((await fetch(answer.body.url)).status).toBe(200);
      let avatar = await get(a._id);
      for (let i = 0; i < 100 && avatar.status === 'preprocessing'; i++) {
        await server.server.loop.settle();
        avatar = await get(a._id);
      }
      expect(avatar).toMatchObject({ status: 'failed', sourceImage: null });
      expect(avatar.error).toMatch(/No human face/);
      expect((await fetch(answer.body.url)).status).toBe(404);
    });
  });
});
