import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VRM_FIXTURES } from '../../../test/fixtures.ts';
import { inspectVrm } from './index.ts';
import { editedFixture, packGlbChunks, rejectionOf, unpackGlb } from './test-glb-files.ts';

const NO_VRM =
  'This file is a glTF model without VRM data (no VRM or VRMC_vrm extension); ' +
  "upload a VRM exported from VRoid Studio, UniVRM or Blender's VRM add-on.";

describe('VRM data checks', () => {
  it('refuses a plain glTF: the VRM extension stripped and the GLB re-packed', async () => {
    const plain1 = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      delete gltf.extensions.VRMC_vrm;
      gltf.extensionsUsed = gltf.extensionsUsed.filter((name: string) => name !== 'VRMC_vrm');
    });
    expect(await rejectionOf(plain1)).toBe(NO_VRM);
    const plain0 = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      delete gltf.extensions;
    });
    expect(await rejectionOf(plain0)).toBe(NO_VRM);
    const wrongType = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      gltf.extensions = ['VRM'];
    });
    expect(await rejectionOf(wrongType)).toBe(NO_VRM);
  });

  it('refuses VRM extensions of the wrong type', async () => {
    const v1 = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      gltf.extensions.VRMC_vrm = 'VRM 1.0';
    });
    expect(await rejectionOf(v1)).toBe("The model's VRMC_vrm extension is a string, not an object.");
    const v0 = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      gltf.extensions.VRM = [1];
    });
    expect(await rejectionOf(v0)).toBe("The model's VRM extension is an array, not an object.");
  });

  it('refuses a VRMC_vrm specVersion other than 1.0 (or 1.0-beta)', async () => {
    const future = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      gltf.extensions.VRMC_vrm.specVersion = '2.0';
    });
    expect(await rejectionOf(future)).toBe(
      'The model\'s VRMC_vrm extension has specVersion "2.0"; VRM 1.0 models (specVersion "1.0") and VRM 0.x models are supported.',
    );
    const none = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      delete gltf.extensions.VRMC_vrm.specVersion;
    });
    expect(await rejectionOf(none)).toMatch(/^The model's VRMC_vrm extension has no specVersion;/);
  });

  it('refuses a model the glTF validator finds errors in, naming the first error', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      gltf.accessors[0].count = 1_000_000; // now reads far past its buffer view
    });
    const message = await rejectionOf(file);
    expect(message).toMatch(/^The model is not valid glTF: Accessor .*does not fit referenced bufferView .*\(at \/accessors\/0\)/);
  });

  it('counts the errors it does not name', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      for (const accessor of gltf.accessors.slice(0, 4)) accessor.count = 1_000_000;
    });
    expect(await rejectionOf(file)).toMatch(/\(at \/accessors\/1\) \(and \d+ more errors?\)\.$/);
  });

  it('refuses a model that makes the validator itself fail, and validates the others as usual', async () => {
    // gltf-validator throws "Infinity.toInt()" outside its promise for a count of 1e400; in the main thread that
    // would end the process.
    const { gltf, bin } = unpackGlb(readFileSync(VRM_FIXTURES.overrides));
    const text = JSON.stringify(gltf).replace('"count":', '"count":1e400,"countWas":');
    // Uploads validated at the same time as the bad one are not blamed for its crash.
    const [crashing, before, after] = await Promise.all([
      rejectionOf(packGlbChunks(Buffer.from(text), bin)),
      inspectVrm(readFileSync(VRM_FIXTURES.mtoon)),
      inspectVrm(readFileSync(VRM_FIXTURES.v0)),
    ]);
    expect(crashing).toBe('The glTF validator could not read the model (Unsupported operation: Infinity.toInt()); the file is malformed.');
    expect(before.vrmVersion).toBe('1.0');
    expect(after.vrmVersion).toBe('0.x');
  });

  it('never loads external resources: a buffer or image URI outside the file is an error', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      gltf.images[0] = { uri: 'file:///etc/passwd', mimeType: 'image/png' };
    });
    expect(await rejectionOf(file)).toBe(
      'The model is not valid glTF: it refers to a file outside the model (at /images/0/uri), ' +
        'and a VRM must hold all its data inside the .vrm file.',
    );
  });
});

describe('the humanoid', () => {
  it('refuses a 1.0 model missing required bones, naming them', async () => {
    const file = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      const bones = gltf.extensions.VRMC_vrm.humanoid.humanBones;
      delete bones.head;
      delete bones.leftHand;
      delete bones.chest; // optional in 1.0: not named
    });
    expect(await rejectionOf(file)).toBe("The model's humanoid lacks bones that VRM 1.0 requires: head, leftHand.");
  });

  it('refuses a 0.x model missing neck, which 0.x requires', async () => {
    const file = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      const humanoid = gltf.extensions.VRM.humanoid;
      humanoid.humanBones = humanoid.humanBones.filter((bone: { bone: string }) => bone.bone !== 'neck');
    });
    expect(await rejectionOf(file)).toBe("The model's humanoid lacks bone that VRM 0.x requires: neck.");
  });

  it('refuses bones whose node index is out of range or not an index', async () => {
    const v1 = editedFixture(VRM_FIXTURES.overrides, (gltf) => {
      const bones = gltf.extensions.VRMC_vrm.humanoid.humanBones;
      bones.head.node = 27; // the model has nodes 0..26
      bones.spine.node = -1;
      bones.hips = { node: '0' };
    });
    expect(await rejectionOf(v1)).toBe(
      "The model's humanoid bones point at nodes that do not exist (the model has 27 nodes): " +
        'hips (node a string), spine (node -1), head (node 27).',
    );
    const v0 = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      gltf.extensions.VRM.humanoid.humanBones[0].node = 1e9;
    });
    expect(await rejectionOf(v0)).toBe(
      "The model's humanoid bones point at nodes that do not exist (the model has 70 nodes): hips (node 1000000000).",
    );
  });

  it('refuses a missing or mistyped humanoid section', async () => {
    const none = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      delete gltf.extensions.VRMC_vrm.humanoid;
    });
    expect(await rejectionOf(none)).toBe(
      "The model's VRM data has no humanoid section (VRMC_vrm.humanoid), so it cannot be animated as an avatar.",
    );
    const arrayBones = editedFixture(VRM_FIXTURES.mtoon, (gltf) => {
      gltf.extensions.VRMC_vrm.humanoid.humanBones = [];
    });
    expect(await rejectionOf(arrayBones)).toBe("The model's VRMC_vrm.humanoid.humanBones is an array, not an object of bones.");
    const objectBones = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      gltf.extensions.VRM.humanoid.humanBones = { hips: 0 };
    });
    expect(await rejectionOf(objectBones)).toBe("The model's VRM.humanoid.humanBones is an object, not an array of bones.");
    const numberHumanoid = editedFixture(VRM_FIXTURES.v0, (gltf) => {
      gltf.extensions.VRM.humanoid = 5;
    });
    expect(await rejectionOf(numberHumanoid)).toBe("The model's VRM.humanoid is a number, not an object.");
  });
});
