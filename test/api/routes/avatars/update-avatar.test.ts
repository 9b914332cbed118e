import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import type { TestKey } from '../../../harness/test-server.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

describe.each(STORE_KINDS)('PUT /api/v1/avatars/:id (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'user_456', 'org_xyz');
  const create = async (body: Record<string, unknown> = {}) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Support Agent', tier: 'stylized_3d', ...body } })).body;
  const put = (id: string, body: unknown, key: TestKey = owner) => server.api('PUT', `/api/v1/avatars/${id}`, { key, body });

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
    securityTests(() => server, 'PUT /api/v1/avatars/:id', { scope: 'avatars:write', body: { name: 'x' }, avatar: 'owner' });
  });
});
