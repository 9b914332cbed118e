import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import type { TestKey } from '../../../harness/test-server.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

describe.each(STORE_KINDS)('POST /api/v1/avatars (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const owner = keyPerSuite(server, 'user_456', 'org_xyz');
  const create = (body: unknown, key: TestKey = owner) => server.api('POST', '/api/v1/avatars', { key, body });
  /** A body sent as written, for what JSON.stringify would never make. */
  const createRaw = (raw: string, contentType = 'application/json') =>
    server.api('POST', '/api/v1/avatars', { key: owner, raw, headers: { 'content-type': contentType } });

  describe('happy', () => {
    it("creates the contract's example with 201, status creating and the tier defaults", async () => {
      const answer = await create({
        name: 'Support Agent',
        tier: 'stylized_3d',
        description: 'Friendly customer support avatar',
        resources: { cpu: '100m', memory: '256Mi' },
        config: { resolution: '512x512', frameRate: 30, idleMotion: true },
      });
      expect(answer.status).toBe(201);
      const a = answer.body;
      expect(a._id).toMatch(/^avt_[0-9A-Za-z]{16,}$/);
      expect(a).toMatchObject({
        name: 'Support Agent',
        description: 'Friendly customer support avatar',
        tier: 'stylized_3d',
        preprocessed: false,
        status: 'creating',
        resources: { cpu: '100m', memory: '256Mi' },
        config: { resolution: '512x512', frameRate: 30, idleMotion: true },
        sourceModel: null,
        renderingEndpoint: null,
        userId: 'user_456',
        organizationId: 'org_xyz',
      });
      expect(a.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(a.updatedAt).toBe(a.createdAt);
      // Every field of the contract's Avatar Object is present.
      for (const field of [
        '_id',
        'name',
        'description',
        'tier',
        'preprocessed',
        'status',
        'resources',
        'config',
        'sourceModel',
        'renderingEndpoint',
        'userId',
        'organizationId',
        'createdAt',
        'updatedAt',
      ]) {
        expect(a).toHaveProperty(field);
      }
    });

    it('derives resources from the tier: a small CPU pod for stylized_3d, an nvidia-a10 GPU pod for Tier 2/3', async () => {
      expect((await create({ name: 'a', tier: 'stylized_3d' })).body.resources).toEqual({ cpu: '100m', memory: '256Mi' });
      for (const tier of ['animated_portrait', 'realtime_lipsync']) {
        const a = (await create({ name: 'p', tier })).body;
        expect(a.resources).toEqual({ cpu: '2', memory: '8Gi', gpu: 1, gpuType: 'nvidia-a10' });
        expect(a.onDemand).toEqual({ schedulingMode: 'on_demand', autoShutdownMinutes: 5 });
        expect(a.config).toEqual({ resolution: '512x512', frameRate: 30, idleMotion: true });
        expect(a.status).toBe('creating');
        expect(a.sourceImage).toBeNull();
      }
    });

    it('overrides resources and config field by field', async () => {
      const a = (
        await create({
          name: 'p',
          tier: 'animated_portrait',
          resources: { gpuType: 'nvidia-h100', memory: '16Gi' },
          config: { frameRate: 25 },
        })
      ).body;
      expect(a.resources).toEqual({ cpu: '2', memory: '16Gi', gpu: 1, gpuType: 'nvidia-h100' });
      expect(a.config).toEqual({ resolution: '512x512', frameRate: 25, idleMotion: true });
    });

    it('makes an orb ready at once with its default colour and size', async () => {
      const a = (await create({ name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' })).body;
      expect(a).toMatchObject({ status: 'ready', renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 });
      const b = (await create({ name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb', orbColor: '#ff0000', orbSize: 4 })).body;
      expect(b).toMatchObject({ orbColor: '#ff0000', orbSize: 4 });
    });

    it('trims strings and keeps a missing description as null', async () => {
      const a = (await create({ name: '  Spaced  ', tier: 'stylized_3d' })).body;
      expect(a.name).toBe('Spaced');
      expect(a.description).toBeNull();
    });

    it('takes the user and organization from the key, and an orgless key makes orgless avatars', async () => {
      const solo = await server.makeKey('solo', null);
      const a = (await create({ name: 'x', tier: 'stylized_3d' }, solo)).body;
      expect(a).toMatchObject({ userId: 'solo', organizationId: null });
    });
  });

  describe('error', () => {
    const invalid: [string, unknown, string][] = [
      ['no name', { tier: 'stylized_3d' }, 'name'],
      ['an empty name after trimming', { name: '   ', tier: 'stylized_3d' }, 'name'],
      ['a name over 200 characters', { name: 'x'.repeat(201), tier: 'stylized_3d' }, 'name'],
      ['a name that is not a string', { name: 5, tier: 'stylized_3d' }, 'name'],
      ['no tier', { name: 'a' }, 'tier'],
      ['an unknown tier', { name: 'a', tier: 'hologram' }, 'tier'],
      ['an invalid cpu quantity', { name: 'a', tier: 'stylized_3d', resources: { cpu: 'lots' } }, 'resources.cpu'],
      ['a negative memory quantity', { name: 'a', tier: 'stylized_3d', resources: { memory: '-1Gi' } }, 'resources.memory'],
      ['a zero cpu', { name: 'a', tier: 'stylized_3d', resources: { cpu: '0' } }, 'resources.cpu'],
      ['a fractional gpu', { name: 'a', tier: 'animated_portrait', resources: { gpu: 1.5 } }, 'resources.gpu'],
      ['9 gpus', { name: 'a', tier: 'animated_portrait', resources: { gpu: 9 } }, 'resources.gpu'],
      ['an unknown gpuType', { name: 'a', tier: 'animated_portrait', resources: { gpuType: 'nvidia-rtx' } }, 'resources.gpuType'],
      ['an unknown resources field', { name: 'a', tier: 'stylized_3d', resources: { disk: '1Gi' } }, 'resources.disk'],
      ['a resolution without x', { name: 'a', tier: 'stylized_3d', config: { resolution: '512' } }, 'config.resolution'],
      ['a resolution under 64', { name: 'a', tier: 'stylized_3d', config: { resolution: '32x512' } }, 'config.resolution'],
      ['a resolution over 4096', { name: 'a', tier: 'stylized_3d', config: { resolution: '8192x512' } }, 'config.resolution'],
      ['a resolution with an odd side', { name: 'a', tier: 'animated_portrait', config: { resolution: '511x512' } }, 'config.resolution'],
      ['a frame rate of 0', { name: 'a', tier: 'stylized_3d', config: { frameRate: 0 } }, 'config.frameRate'],
      ['a frame rate of 121', { name: 'a', tier: 'stylized_3d', config: { frameRate: 121 } }, 'config.frameRate'],
      ['a frame rate as a string', { name: 'a', tier: 'stylized_3d', config: { frameRate: '30' } }, 'config.frameRate'],
      ['idleMotion not boolean', { name: 'a', tier: 'stylized_3d', config: { idleMotion: 'yes' } }, 'config.idleMotion'],
      ['an invalid orb colour', { name: 'a', tier: 'stylized_3d', renderStyle: 'orb', orbColor: 'cyan' }, 'orbColor'],
      ['an orb size of 0', { name: 'a', tier: 'stylized_3d', renderStyle: 'orb', orbSize: 0 }, 'orbSize'],
      ['an orb size over 4', { name: 'a', tier: 'stylized_3d', renderStyle: 'orb', orbSize: 4.5 }, 'orbSize'],
      ['an orb colour on a VRM avatar', { name: 'a', tier: 'stylized_3d', orbColor: '#fff' }, 'orbColor'],
      ['a render style on a portrait', { name: 'a', tier: 'animated_portrait', renderStyle: 'orb' }, 'renderStyle'],
      ['onDemand on stylized_3d', { name: 'a', tier: 'stylized_3d', onDemand: { schedulingMode: 'always_on' } }, 'onDemand'],
      [
        'an unknown scheduling mode',
        { name: 'a', tier: 'realtime_lipsync', onDemand: { schedulingMode: 'sometimes' } },
        'onDemand.schedulingMode',
      ],
      ['an unknown field', { name: 'a', tier: 'stylized_3d', color: 'red' }, 'color'],
      ['a client-chosen id', { _id: 'avt_mine', name: 'a', tier: 'stylized_3d' }, '_id'],
      ['a body that is an array', [{ name: 'a' }], ''],
    ];
    it.each(invalid)('refuses %s with 400 validation-failed naming the field', async (_label, body, path) => {
      const answer = await create(body);
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it('names the type a field of the wrong type must be, with its article', async () => {
      const cases: [unknown, string][] = [
        [[{ name: 'a' }], 'The request body must be an object.'],
        [{ name: 'a', tier: 'stylized_3d', config: { frameRate: 30.5 } }, '"config.frameRate" must be an integer.'],
        [{ name: 'a', tier: 'stylized_3d', config: { idleMotion: 'yes' } }, '"config.idleMotion" must be a boolean.'],
        [{ name: 'a', tier: 'stylized_3d', config: [] }, '"config" must be an object.'],
      ];
      for (const [body, sentence] of cases) expect((await create(body)).body.error, JSON.stringify(body)).toBe(sentence);
    });

    it('refuses malformed JSON with 400 invalid-json', async () => {
      expectError(await createRaw('{"name": "a",'), 400, 'invalid-json');
    });

    it('refuses a body that is not JSON with 415 unsupported-media-type, naming its type', async () => {
      const answer = await createRaw('name=a', 'application/x-www-form-urlencoded');
      expectError(answer, 415, 'unsupported-media-type');
      expect(answer.body.error).toBe('Content-Type "application/x-www-form-urlencoded" is not accepted here; send application/json.');
    });

    it('takes an empty body of any type as no body (a 400 here, where a body is required, not a 415)', async () => {
      // What Python's urllib sends for an empty POST: the routes whose body is optional then answer as without one.
      expectError(await createRaw('', 'application/x-www-form-urlencoded'), 400, 'validation-failed');
    });

    it('refuses a body over 1 MiB with 413 payload-too-large', async () => {
      const answer = await create({ name: 'a', tier: 'stylized_3d', description: 'x'.repeat(1024 * 1024 + 10) });
      expectError(answer, 413, 'payload-too-large');
    });

    it('refuses an empty body with 400 validation-failed', async () => {
      expectError(await createRaw(''), 400, 'validation-failed');
    });

    it('refuses a prototype-polluting body and stays healthy', async () => {
      const answer = await createRaw('{"name":"a","tier":"stylized_3d","__proto__":{"admin":true}}');
      expect(answer.status).toBe(400);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/avatars', { scope: 'avatars:write', body: { name: 'a', tier: 'stylized_3d' } });
  });
});
