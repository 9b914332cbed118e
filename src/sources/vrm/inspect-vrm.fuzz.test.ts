import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VRM_FIXTURES } from '../../../test/fixtures.ts';
import { SourceRejected } from '../source-rejected.ts';
import { inspectVrm } from './index.ts';
import { packGlb, unpackGlb } from './test-glb-files.ts';

/** Either a report or a SourceRejected: any other outcome (a TypeError, a crash) fails the property. */
async function acceptsOrRejectsCleanly(file: Buffer): Promise<void> {
  try {
    const info = await inspectVrm(file);
    expect(['0.x', '1.0']).toContain(info.vrmVersion);
  } catch (error) {
    if (!(error instanceof SourceRejected)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
  }
}

const glbHead = Buffer.from([0x67, 0x6c, 0x54, 0x46, 2, 0, 0, 0]);

describe('inspectVrm never fails with anything but SourceRejected', () => {
  it('on random bytes, with and without a GLB magic in front', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), fc.boolean(), async (bytes, withHead) => {
        await acceptsOrRejectsCleanly(withHead ? Buffer.concat([glbHead, bytes]) : Buffer.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('on a real VRM with bytes overwritten anywhere', async () => {
    const original = readFileSync(VRM_FIXTURES.overrides);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (edits) => {
          const file = Buffer.from(original);
          for (const [at, value] of edits) file[at] = value;
          await acceptsOrRejectsCleanly(file);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('on VRM data whose sections hold values of any JSON type', async () => {
    const { gltf, bin } = unpackGlb(readFileSync(VRM_FIXTURES.overrides));
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const paths: ((vrm: any, value: unknown) => void)[] = [
      (vrm, value) => {
        vrm.humanoid = value;
      },
      (vrm, value) => {
        vrm.humanoid.humanBones = value;
      },
      (vrm, value) => {
        vrm.humanoid.humanBones.head = value;
      },
      (vrm, value) => {
        vrm.expressions = value;
      },
      (vrm, value) => {
        vrm.expressions.preset = value;
      },
      (vrm, value) => {
        vrm.lookAt = value;
      },
      (vrm, value) => {
        vrm.meta = value;
      },
      (vrm, value) => {
        vrm.specVersion = value;
      },
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: paths.length - 1 }), anyJson, async (path, value) => {
        const edited = structuredClone(gltf);
        paths[path](edited.extensions.VRMC_vrm, value);
        await acceptsOrRejectsCleanly(packGlb(edited, bin));
      }),
      { numRuns: 200 },
    );
  });
});
