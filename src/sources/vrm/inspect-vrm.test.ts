import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VRM_FIXTURES, VRM_REQUIRED_BONES } from '../../../test/fixtures.ts';
import { inspectVrm, isGlb } from './index.ts';
import { editedFixture, packGlbChunks, unpackGlb } from './test-glb-files.ts';

const REQUIRED_1 = VRM_REQUIRED_BONES;

describe('inspectVrm on the real fixtures', () => {
  it('reads the VRM 0.x model: 52 bones, vowels a i u e o mapped to visemes, blink, meta as the file has it', async () => {
    const info = await inspectVrm(readFileSync(VRM_FIXTURES.v0));
    expect(info.vrmVersion).toBe('0.x');
    expect(info.humanoidBones).toHaveLength(52);
    expect(info.humanoidBones).toEqual(expect.arrayContaining([...REQUIRED_1, 'chest', 'neck', 'upperChest']));
    expect(info.expressions).toEqual([
      'neutral',
      'a',
      'i',
      'u',
      'e',
      'o',
      'blink',
      'joy',
      'angry',
      'sorrow',
      'fun',
      'lookup',
      'lookdown',
      'lookleft',
      'lookright',
      'blink_l',
      'blink_r',
    ]);
    expect(info.visemes).toEqual(['aa', 'ih', 'ou', 'ee', 'oh']);
    expect(info.blink).toBe(true);
    // lookAtTypeName is "Bone" but the model has no eye bones: nothing would move.
    expect(info.lookAt).toBe(false);
    expect(info.meta).toMatchObject({ title: 'EmissionTest', author: 'vrmc', licenseName: 'CC0', version: '1' });
    expect(info.warnings).toEqual([]);
  });

  it('reads the VRM 1.0 MToon model: 53 bones, no expressions, and warns about the missing visemes and blink', async () => {
    const info = await inspectVrm(readFileSync(VRM_FIXTURES.mtoon));
    expect(info.vrmVersion).toBe('1.0');
    expect(info.humanoidBones).toHaveLength(53);
    expect(info.humanoidBones).toEqual(expect.arrayContaining([...REQUIRED_1, 'leftEye', 'rightEye']));
    expect(info.expressions).toEqual([]);
    expect(info.visemes).toEqual([]);
    expect(info.blink).toBe(false);
    expect(info.lookAt).toBe(false); // eye bones, but no lookAt section
    expect(info.meta).toMatchObject({
      name: 'VRMC_materials_mtoon UV Animation Test',
      authors: ['pixiv Inc.'],
      licenseUrl: 'https://vrm.dev/licenses/1.0/',
      avatarPermission: 'everyone',
      commercialUsage: 'corporation',
    });
    expect(info.warnings).toEqual([
      "The model has no lip-sync visemes (aa, ih, ou, ee, oh); the avatar's mouth will not move when it speaks.",
      'The model has no blink expression; the avatar will not blink.',
    ]);
  });

  for (const fixture of ['overridden', 'overrides'] as const) {
    it(`reads the isBinary ${fixture} model: 22 bones, expressions happy and blink`, async () => {
      const info = await inspectVrm(readFileSync(VRM_FIXTURES[fixture]));
      expect(info.vrmVersion).toBe('1.0');
      expect(info.humanoidBones).toHaveLength(22);
      expect(info.humanoidBones).toEqual(expect.arrayContaining(REQUIRED_1));
      expect(info.expressions).toEqual(['happy', 'blink']);
      expect(info.visemes).toEqual([]);
      expect(info.blink).toBe(true);
      // lookAt type "expression", but no lookUp/lookDown/lookLeft/lookRight expressions to drive.
      expect(info.lookAt).toBe(false);
      expect(info.meta.name).toBe(`isBinary ${fixture}`);
      expect(info.warnings).toHaveLength(1);
      expect(info.warnings[0]).toMatch(/no lip-sync visemes/);
    });
  }
});

describe('inspectVrm on edited fixtures that are still valid', () => {
  it('names only the missing visemes when the model has some of them', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      const preset = gltf.extensions.VRMC_vrm.expressions.preset;
      preset.oh = { morphTargetBinds: [] };
      preset.aa = { morphTargetBinds: [] };
    });
    const info = await inspectVrm(file);
    expect(info.visemes).toEqual(['aa', 'oh']);
    expect(info.warnings[0]).toBe("The model has no lip-sync visemes ih, ou, ee; the avatar's mouth will use the ones it has.");
  });

  it('lists 1.0 custom expressions after the presets, and counts blinkLeft with blinkRight as blink', async () => {
    const file = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      gltf.extensions.VRMC_vrm.expressions = {
        preset: { blinkLeft: {}, blinkRight: {}, aa: {}, ih: {}, ou: {}, ee: {}, oh: {}, sad: 'not an expression' },
        custom: { wink_star: {} },
      };
    });
    const info = await inspectVrm(file);
    expect(info.expressions).toEqual(['blinkLeft', 'blinkRight', 'aa', 'ih', 'ou', 'ee', 'oh', 'wink_star']);
    expect(info.visemes).toEqual(['aa', 'ih', 'ou', 'ee', 'oh']);
    expect(info.blink).toBe(true);
    expect(info.warnings).toEqual([]);
  });

  it('sees a 1.0 look-at by eye bones, and by expressions only when look expressions exist', async () => {
    const byBones = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      gltf.extensions.VRMC_vrm.lookAt = { type: 'bone' };
    });
    expect((await inspectVrm(byBones)).lookAt).toBe(true);
    const byExpressions = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      gltf.extensions.VRMC_vrm.expressions.preset.lookUp = {};
    });
    expect((await inspectVrm(byExpressions)).lookAt).toBe(true);
  });

  it('sees a 0.x look-at driven by blend shapes, uses group names for unknown presets, and maps partial vowels', async () => {
    const file = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      const vrm = gltf.extensions.VRM;
      vrm.firstPerson.lookAtTypeName = 'BlendShape';
      vrm.blendShapeMaster.blendShapeGroups = [
        { name: 'A', presetName: 'a' },
        { name: 'O', presetName: 'o' },
        { name: 'Blink_L', presetName: 'blink_l' },
        { name: 'Smirk', presetName: 'unknown' },
        { name: 'LookUp', presetName: 'lookup' },
        'not a group',
      ];
    });
    const info = await inspectVrm(file);
    expect(info.expressions).toEqual(['a', 'o', 'blink_l', 'Smirk', 'lookup']);
    expect(info.visemes).toEqual(['aa', 'oh']);
    expect(info.blink).toBe(false); // blink_l without blink_r
    expect(info.lookAt).toBe(true);
    expect(info.warnings).toEqual([
      "The model has no lip-sync visemes ih, ou, ee; the avatar's mouth will use the ones it has.",
      'The model has no blink expression; the avatar will not blink.',
    ]);
  });

  it('accepts specVersion "1.0-beta"', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      gltf.extensions.VRMC_vrm.specVersion = '1.0-beta';
    });
    expect((await inspectVrm(file)).vrmVersion).toBe('1.0');
  });

  it('keeps only JSON-safe scalars and arrays in meta, with strings cut at 1000 characters', async () => {
    const file = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      const meta = gltf.extensions.VRMC_vrm.meta;
      meta.name = 'n'.repeat(5000);
      meta.authors = ['a'.repeat(2000), { nested: true }, 7];
      meta.nested = { deep: 'x' };
      meta.nothing = null;
    });
    const { meta } = await inspectVrm(file);
    expect(meta.name).toBe('n'.repeat(1000));
    expect(meta.authors).toEqual(['a'.repeat(1000), 7]);
    expect(meta).not.toHaveProperty('nested');
    expect(meta).not.toHaveProperty('nothing');
    expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
  });

  it('accepts a JSON chunk that is not padded to 4 bytes, with a warning', async () => {
    const { gltf, bin } = unpackGlb(readFileSync(VRM_FIXTURES.overrides));
    const json = JSON.stringify(gltf);
    const unaligned = Buffer.from(json.length % 4 === 0 ? `${json} ` : json);
    expect(unaligned.length % 4).not.toBe(0);
    const info = await inspectVrm(packGlbChunks(unaligned, bin, false));
    expect(info.vrmVersion).toBe('1.0');
    expect(info.warnings).toContain(
      "The file's chunks are not padded to 4 bytes as the GLB format asks; it loads, but some tools may refuse it.",
    );
  });

  it('passes on the validator warnings worth telling, once per kind', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      gltf.asset.version = '2.1'; // UNKNOWN_ASSET_MINOR_VERSION
    });
    const info = await inspectVrm(file);
    expect(info.warnings).toContain('The glTF validator warns: Unknown glTF minor asset version: 1 (at /asset/version).');
  });
});

describe('isGlb', () => {
  it('tells a GLB from a PNG, from text and from too few bytes', () => {
    expect(isGlb(readFileSync(VRM_FIXTURES.v0).subarray(0, 4))).toBe(true);
    expect(isGlb(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))).toBe(false);
    expect(isGlb(Buffer.from('{"asset":{}}'))).toBe(false);
    expect(isGlb(Buffer.from('glT'))).toBe(false);
    expect(isGlb(Buffer.alloc(0))).toBe(false);
  });
});
