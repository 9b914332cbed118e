import { SourceRejected } from '../source-rejected.ts';
import { readFaceAbilities, VISEMES, type Viseme } from './expressions.ts';
import { readGlbContainer } from './glb-container.ts';
import { parseGltfJson } from './gltf-json.ts';
import { checkElementCounts } from './gltf-limits.ts';
import { readHumanoidBones } from './humanoid.ts';
import { readMeta } from './meta.ts';
import { findVrmExtension, type VrmVersion } from './vrm-extension.ts';

/** What an accepted VRM upload is: stored with the avatar and shown to its owner. */
export interface VrmSourceInfo {
  vrmVersion: VrmVersion;
  /** The file's meta section: 1.0 name, version, authors, licenseUrl...; 0.x title, version, author, licenseName... */
  meta: Record<string, unknown>;
  /** Humanoid bone names as in the file. */
  humanoidBones: string[];
  /** Expression names as in the file: 1.0 preset and custom names; 0.x preset names, or the group name when unknown. */
  expressions: string[];
  /** The lip-sync visemes the model can show, in VISEMES order (0.x a, i, u, e, o mapped to aa, ih, ou, ee, oh). */
  visemes: Viseme[];
  blink: boolean;
  lookAt: boolean;
  /** Sentences for the uploader: what the avatar will lack, and what the glTF validator warned about. */
  warnings: string[];
}

/**
 * What the file's own structure says, read in the intake worker (plain data, so it crosses threads).
 * `refused` is a sentence when the file is no usable glTF at all (the validator never sees it); `vrmRefused` when the
 * glTF is readable but its VRM data is not: that sentence is told only if the validator finds no glTF errors first.
 */
export type VrmReading = { refused: string } | { vrmRefused: string } | { info: VrmSourceInfo };

/** Reads a VRM in the calling thread; never throws for anything the file can do wrong. */
export function readVrm(file: Buffer): VrmReading {
  let gltf: Record<string, unknown>;
  let unalignedChunks: boolean;
  try {
    const container = readGlbContainer(file);
    unalignedChunks = container.unalignedChunks;
    gltf = parseGltfJson(container.json);
    checkElementCounts(gltf);
    // Before the validator: a plain glTF gets the sentence that tells the person what to upload instead.
    findVrmExtension(gltf);
  } catch (error) {
    if (error instanceof SourceRejected) return { refused: error.message };
    throw error;
  }
  try {
    return { info: readVrmSections(gltf, unalignedChunks) };
  } catch (error) {
    if (error instanceof SourceRejected) return { vrmRefused: error.message };
    throw error;
  }
}

function readVrmSections(gltf: Record<string, unknown>, unalignedChunks: boolean): VrmSourceInfo {
  const vrm = findVrmExtension(gltf);
  const nodeCount = Array.isArray(gltf.nodes) ? gltf.nodes.length : 0;
  const humanoidBones = readHumanoidBones(vrm, nodeCount);
  const face = readFaceAbilities(vrm, humanoidBones);

  const warnings: string[] = [];
  const missingVisemes = VISEMES.filter((viseme) => !face.visemes.includes(viseme));
  if (face.visemes.length === 0) {
    warnings.push(`The model has no lip-sync visemes (${VISEMES.join(', ')}); the avatar's mouth will not move when it speaks.`);
  } else if (missingVisemes.length > 0) {
    warnings.push(
      `The model has no lip-sync viseme${missingVisemes.length === 1 ? '' : 's'} ${missingVisemes.join(', ')}; ` +
        "the avatar's mouth will use the ones it has.",
    );
  }
  if (!face.blink) warnings.push('The model has no blink expression; the avatar will not blink.');
  if (unalignedChunks) {
    warnings.push("The file's chunks are not padded to 4 bytes as the GLB format asks; it loads, but some tools may refuse it.");
  }
  return {
    vrmVersion: vrm.version,
    meta: readMeta(vrm.data.meta),
    humanoidBones,
    expressions: face.expressions,
    visemes: face.visemes,
    blink: face.blink,
    lookAt: face.lookAt,
    warnings,
  };
}
