import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { securityTests } from '../harness/security.ts';

describe.each(STORE_KINDS)('PUT and DELETE /api/v1/avatars/:id (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  const create = async (body: Record<string, unknown> = {}) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Support Agent', tier: 'stylized_3d', ...body } })).body;
  const put = (id: string, body: unknown, key: TestKey = owner) => server.api('PUT', `/api/v1/avatars/${id}`, { key, body });

  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await server.makeKey('user_456', 'org_xyz');
  });
  afterAll(() => server.close());

  describe('happy', () => {
    it("changes the contract's example fields and answers the whole avatar", async () => {
      const a = await create({ description: 'Friendly customer support avatar' });
      await new Promise((r) => setTimeout(r, 5));
      const answer = await put(a._id, {
        name: 'Updated Support Agent',
        description: 'Updated description',
        config: { resolution: '1024x1024', frameRate: 60 },
        resources: { cpu: '200m', memory: '512Mi' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        _id: a._id,
        name: 'Updated Support Agent',
        description: 'Updated description',
        config: { resolution: '1024x1024', frameRate: 60, idleMotion: true },
        resources: { cpu: '200m', memory: '512Mi' },
        tier: 'stylized_3d',
        status: 'creating',
        createdAt: a.createdAt,
      });
      expect(answer.body.updatedAt > a.updatedAt).toBe(true);
      expect((await server.api('GET', `/api/v1/avatars/${a._id}`, { key: owner })).body).toEqual(answer.body);
    });

    it('merges config and resources key by key and leaves other fields alone', async () => {
      const a = await create({ tier: 'animated_portrait' });
      const b = (
        await put(a._id, { config: { idleMotion: false }, resources: { gpuType: 'nvidia-l4' }, onDemand: { schedulingMode: 'always_on' } })
      ).body;
      expect(b.config).toEqual({ resolution: '512x512', frameRate: 30, idleMotion: false });
      expect(b.resources).toEqual({ cpu: '2', memory: '8Gi', gpu: 1, gpuType: 'nvidia-l4' });
      expect(b.onDemand).toEqual({ schedulingMode: 'always_on', autoShutdownMinutes: 5 });
      expect(b.name).toBe('Support Agent');
    });

    it('ignores read-only fields a client sends back, whatever their value', async () => {
      const a = await create();
      const answer = await put(a._id, {
        ...a,
        name: 'Renamed',
        _id: 'avt_other',
        status: 'ready',
        userId: 'mallory',
        organizationId: 'org_evil',
        createdAt: '2000-01-01T00:00:00.000Z',
        sourceModel: 'https://evil.example/x.vrm',
        renderingEndpoint: 'http://169.254.169.254/',
        preprocessed: true,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        _id: a._id,
        name: 'Renamed',
        status: 'creating',
        userId: 'user_456',
        organizationId: 'org_xyz',
        createdAt: a.createdAt,
        sourceModel: null,
        renderingEndpoint: null,
        preprocessed: false,
      });
    });

    it('turns a VRM avatar into an orb (ready) and back (creating without a model)', async () => {
      const a = await create();
      const orb = (await put(a._id, { renderStyle: 'orb', orbColor: '#123456' })).body;
      expect(orb).toMatchObject({ renderStyle: 'orb', status: 'ready', orbColor: '#123456', orbSize: 0.6 });
      const back = (await put(a._id, { renderStyle: 'vrm' })).body;
      expect(back).toMatchObject({ renderStyle: 'vrm', status: 'creating' });
      expect(back).not.toHaveProperty('orbColor');
    });

    it('deletes an avatar: { _id } once, then 404 for every call', async () => {
      const a = await create();
      const answer = await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ _id: a._id });
      expectError(await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner }), 404, 'not-found');
      expectError(await put(a._id, { name: 'x' }), 404, 'not-found');
      expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 404, 'not-found');
      const list = (await server.api('GET', '/api/v1/avatars?limit=200', { key: owner })).body;
      expect(list.avatars.map((x: { _id: string }) => x._id)).not.toContain(a._id);
    });
  });

  describe('error', () => {
    it.each([
      ['a different tier', { tier: 'animated_portrait' }, 'tier'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['an empty name', { name: ' ' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['an invalid quantity', { resources: { memory: '8 GB' } }, 'resources.memory'],
      ['an invalid resolution', { config: { resolution: '100x5000' } }, 'config.resolution'],
      ['an unknown config field', { config: { fps: 30 } }, 'config.fps'],
      ['orb fields on a VRM avatar', { orbSize: 1 }, 'orbSize'],
    ])('refuses %s with 400 validation-failed', async (_label, body, path) => {
      const a = await create();
      const answer = await put(a._id, body);
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details.map((d: { path: string }) => d.path)).toContain(path);
      // Nothing changed.
      expect((await server.api('GET', `/api/v1/avatars/${a._id}`, { key: owner })).body).toEqual(a);
    });

    it("accepts the avatar's own tier sent back", async () => {
      const a = await create();
      expect((await put(a._id, { tier: 'stylized_3d', name: 'Same tier' })).status).toBe(200);
    });

    it('refuses malformed JSON and non-JSON bodies', async () => {
      const a = await create();
      expectError(
        await server.api('PUT', `/api/v1/avatars/${a._id}`, { key: owner, raw: '{', headers: { 'content-type': 'application/json' } }),
        400,
        'invalid-json',
      );
      expectError(
        await server.api('PUT', `/api/v1/avatars/${a._id}`, { key: owner, raw: 'x', headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported-media-type',
      );
    });
  });

  describe('security', () => {
    securityTests(() => server, {
      method: 'PUT',
      path: (id) => `/api/v1/avatars/${id}`,
      scope: 'avatars:write',
      body: { name: 'x' },
      avatar: 'owner',
    });
    securityTests(() => server, { method: 'DELETE', path: (id) => `/api/v1/avatars/${id}`, scope: 'avatars:write', avatar: 'owner' });
  });
});

describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/preview (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await server.makeKey('user_456', 'org_xyz');
  });
  afterAll(() => server.close());
  const create = async (body: Record<string, unknown>) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'P', ...body } })).body;

  it('answers 409 conflict for a VRM avatar without a model yet', async () => {
    const a = await create({ tier: 'stylized_3d' });
    expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 409, 'conflict');
  });

  it('answers an orb with previewUrl null, its colour and size', async () => {
    const a = await create({ tier: 'stylized_3d', renderStyle: 'orb', orbColor: '#abcdef', orbSize: 1.5 });
    const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ avatarId: a._id, previewUrl: null, orbColor: '#abcdef', orbSize: 1.5, tier: 'stylized_3d' });
  });

  it("answers Tier 2/3 without a rendering container with the contract's exact 503", async () => {
    for (const tier of ['animated_portrait', 'realtime_lipsync']) {
      const a = await create({ tier });
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, {
        key: owner,
        raw: '',
        headers: { 'content-type': 'application/json' },
      });
      expectError(answer, 503, 'service-unavailable');
      expect(answer.body.error).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
    }
  });

  describe('security', () => {
    securityTests(() => server, {
      method: 'POST',
      path: (id) => `/api/v1/avatars/${id}/preview`,
      scope: 'avatars:write',
      avatar: 'visible',
    });
  });
});
