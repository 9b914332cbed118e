import { SourceRejected } from '../source-rejected.ts';
import { validateGltf } from './gltf-validation.ts';
import type { VrmSourceInfo } from './read-vrm.ts';
import { readVrmOffThread } from './vrm-intake-pool.ts';

export type { VrmSourceInfo } from './read-vrm.ts';

/**
 * Checks an uploaded VRM (0.x or 1.0) and reads what the avatar can do with it. Every byte of the file is parsed in a
 * worker thread (the intake pool, then the validator's thread), never in the API's own thread.
 * Throws SourceRejected, with a sentence for a person, for anything that is not a usable VRM.
 */
export async function inspectVrm(file: Buffer): Promise<VrmSourceInfo> {
  const reading = await readVrmOffThread(file);
  if ('refused' in reading) throw new SourceRejected(reading.refused);
  const validatorWarnings = await validateGltf(file);
  if ('vrmRefused' in reading) throw new SourceRejected(reading.vrmRefused);
  return { ...reading.info, warnings: [...reading.info.warnings, ...validatorWarnings] };
}
