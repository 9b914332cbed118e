import { SourceRejected } from '../source-rejected.ts';
import { describeJsonType } from './gltf-json.ts';
import { isJsonObject } from './json-shape.ts';

export type VrmVersion = '0.x' | '1.0';

export interface VrmExtension {
  version: VrmVersion;
  /** `extensions.VRM` (0.x) or `extensions.VRMC_vrm` (1.0). */
  data: Record<string, unknown>;
}

// "1.0-beta" files are what UniVRM and VRoid wrote while 1.0 was in beta; @pixiv/three-vrm, which renders the
// avatar, loads both with the same code, so both are accepted.
const SPEC_VERSIONS_1 = new Set(['1.0', '1.0-beta']);

/** Finds the VRM data in a glTF; VRMC_vrm wins when a file carries both, as it does in three-vrm. */
export function findVrmExtension(gltf: Record<string, unknown>): VrmExtension {
  const extensions = isJsonObject(gltf.extensions) ? gltf.extensions : {};
  if (extensions.VRMC_vrm !== undefined) {
    const data = extensions.VRMC_vrm;
    if (!isJsonObject(data)) {
      throw new SourceRejected(`The model's VRMC_vrm extension is ${describeJsonType(data)}, not an object.`);
    }
    const specVersion = data.specVersion;
    if (typeof specVersion !== 'string' || !SPEC_VERSIONS_1.has(specVersion)) {
      const found = typeof specVersion === 'string' ? `specVersion "${specVersion.slice(0, 40)}"` : 'no specVersion';
      throw new SourceRejected(
        `The model's VRMC_vrm extension has ${found}; VRM 1.0 models (specVersion "1.0") and VRM 0.x models are supported.`,
      );
    }
    return { version: '1.0', data };
  }
  if (extensions.VRM !== undefined) {
    const data = extensions.VRM;
    if (!isJsonObject(data)) {
      throw new SourceRejected(`The model's VRM extension is ${describeJsonType(data)}, not an object.`);
    }
    return { version: '0.x', data };
  }
  throw new SourceRejected(
    'This file is a glTF model without VRM data (no VRM or VRMC_vrm extension); ' +
      "upload a VRM exported from VRoid Studio, UniVRM or Blender's VRM add-on.",
  );
}
