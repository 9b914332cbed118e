// The starter avatar file: rebuilt byte for byte from its script, valid glTF, and a complete VRM 1.0 face and body.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { buildStarter, STARTER_PATH } from '../../web/starter/build-starter.ts';
import { VRM_REQUIRED_BONES } from '../fixtures.ts';

const validator = createRequire(import.meta.url)('gltf-validator') as {
  validateBytes(
    data: Uint8Array,
  ): Promise<{ issues: { numErrors: number; messages: Array<{ code: string; message: string; severity: number }> } }>;
};

/** The JSON chunk of a GLB. */
function glbJson(bytes: Uint8Array): any {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint32(0, true)).toBe(0x46546c67); // 'glTF'
  const length = view.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + length)));
}

describe('starter.vrm', () => {
  it('is what build-starter.ts makes, the same bytes every run, under 300 KB', async () => {
    const [a, b, committed] = await Promise.all([buildStarter(), buildStarter(), readFile(STARTER_PATH)]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(committed)).toBe(true);
    expect(committed.byteLength).toBeLessThan(300 * 1024);
  });

  it('passes gltf-validator with no errors and no warnings', async () => {
    const report = await validator.validateBytes(new Uint8Array(await readFile(STARTER_PATH)));
    expect(report.issues.numErrors).toBe(0);
    // The only note: the validator does not know VRMC_vrm.
    expect(report.issues.messages.filter((m) => m.severity <= 1)).toEqual([]);
  });

  it('declares VRM 1.0 with every required humanoid bone, eyes, visemes, emotions, blink and bone lookAt', async () => {
    const json = glbJson(new Uint8Array(await readFile(STARTER_PATH)));
    expect(json.extensionsUsed).toContain('VRMC_vrm');
    const vrm = json.extensions.VRMC_vrm;
    expect(vrm.specVersion).toBe('1.0');
    expect(vrm.meta.authors.length).toBeGreaterThan(0);
    const required = VRM_REQUIRED_BONES;
    for (const bone of [...required, 'chest', 'neck', 'leftEye', 'rightEye']) {
      const node = json.nodes[vrm.humanoid.humanBones[bone]?.node];
      expect(node?.name, bone).toBe(bone);
      expect(node.rotation, `${bone} has a rest rotation`).toBeUndefined();
    }
    const preset = vrm.expressions.preset;
    for (const name of [
      'aa',
      'ih',
      'ou',
      'ee',
      'oh',
      'blink',
      'blinkLeft',
      'blinkRight',
      'happy',
      'angry',
      'sad',
      'relaxed',
      'surprised',
    ]) {
      expect(preset[name]?.morphTargetBinds?.length, name).toBeGreaterThan(0);
      for (const bind of preset[name].morphTargetBinds) {
        const mesh = json.meshes[json.nodes[bind.node].mesh];
        expect(bind.index).toBeLessThan(mesh.primitives[0].targets.length);
      }
    }
    // Each viseme moves a different target of the face.
    const visemeTargets = ['aa', 'ih', 'ou', 'ee', 'oh'].map((v) => preset[v].morphTargetBinds[0].index);
    expect(new Set(visemeTargets).size).toBe(5);
    expect(vrm.lookAt.type).toBe('bone');
  });
});
