import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VRM_FIXTURES } from '../../../test/fixtures.ts';
import { hostileVrm, vrmWithExtraNodes } from '../../../test/harness/hostile-vrm.ts';
import { inspectVrm, MAX_GLTF_ELEMENTS, MAX_JSON_VALUES } from './index.ts';
import { editedFixture, rejectionOf } from './test-glb-files.ts';

describe('element limits', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses the 14.7 MB, 780,000-node upload of issue 12 by its JSON value count, before parsing it', async () => {
    const file = hostileVrm();
    expect(file.length).toBeGreaterThan(14_000_000);
    expect(await rejectionOf(file)).toBe(
      `The model's JSON holds more than ${MAX_JSON_VALUES.toLocaleString('en-US')} values; no avatar needs that many, so the file is refused.`,
    );
  });

  it('refuses one node past the node limit, naming the limit, and takes a model exactly at it', async () => {
    const fixtureNodes = 70; // EmissionMigration_v0.106.0.vrm
    const limit = MAX_GLTF_ELEMENTS.nodes!;
    expect(await rejectionOf(vrmWithExtraNodes(limit - fixtureNodes + 1))).toBe(
      `The model has ${(limit + 1).toLocaleString('en-US')} nodes; at most ${limit.toLocaleString('en-US')} are allowed.`,
    );
    const atLimit = await inspectVrm(vrmWithExtraNodes(limit - fixtureNodes));
    expect(atLimit.vrmVersion).toBe('0.x');
  });

  it.each(['accessors', 'meshes', 'materials', 'images', 'textures', 'skins', 'animations', 'buffers'])(
    'refuses a model with more %s than allowed',
    async (kind) => {
      const limit = MAX_GLTF_ELEMENTS[kind]!;
      const file = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
        gltf[kind] = Array.from({ length: limit + 1 }, () => ({}));
      });
      expect(await rejectionOf(file)).toBe(
        `The model has ${(limit + 1).toLocaleString('en-US')} ${kind}; at most ${limit.toLocaleString('en-US')} are allowed.`,
      );
    },
  );

  it('refuses a huge nested array that no per-kind limit names (a node with a million children)', async () => {
    const file = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      gltf.nodes[0].children = Array.from({ length: MAX_JSON_VALUES + 1 }, () => 0);
    });
    expect(await rejectionOf(file)).toMatch(/JSON holds more than 1,000,000 values/);
  });

  it('parses the file in a worker thread: the calling thread never parses the model JSON', async () => {
    const file = readFileSync(VRM_FIXTURES.mtoon);
    const parse = vi.spyOn(JSON, 'parse');
    const info = await inspectVrm(file);
    expect(info.vrmVersion).toBe('1.0');
    expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('VRMC_vrm'))).toEqual([]);
  });
});
