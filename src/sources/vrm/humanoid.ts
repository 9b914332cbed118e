import { SourceRejected } from '../source-rejected.ts';
import { describeJsonType } from './gltf-json.ts';
import { isJsonObject } from './json-shape.ts';
import type { VrmExtension } from './vrm-extension.ts';

const LIMBS = [
  'leftUpperArm',
  'leftLowerArm',
  'leftHand',
  'rightUpperArm',
  'rightLowerArm',
  'rightHand',
  'leftUpperLeg',
  'leftLowerLeg',
  'leftFoot',
  'rightUpperLeg',
  'rightLowerLeg',
  'rightFoot',
];

// VRM 1.0 humanoid.md, "List of Humanoid Bones": chest and neck are optional there, "required in 0.X".
const REQUIRED_BONES_1 = ['hips', 'spine', 'head', ...LIMBS];
// VRM 0.0 README, "Defined bones": neck and chest are required too.
const REQUIRED_BONES_0 = ['hips', 'spine', 'chest', 'neck', 'head', ...LIMBS];

/** More than the spec's 55 bones is no humanoid; bounds the work on a hostile file. */
const MAX_BONES = 256;
const MAX_NAMED = 5;

interface BoneEntry {
  name: string;
  node: unknown;
}

/**
 * The humanoid's bone names as the file has them, after checking that the spec's required bones are there and
 * that every bone points at a node that exists.
 */
export function readHumanoidBones(vrm: VrmExtension, nodeCount: number): string[] {
  const section = vrm.version === '1.0' ? 'VRMC_vrm.humanoid' : 'VRM.humanoid';
  const humanoid = vrm.data.humanoid;
  if (!isJsonObject(humanoid)) {
    throw new SourceRejected(
      humanoid === undefined
        ? `The model's VRM data has no humanoid section (${section}), so it cannot be animated as an avatar.`
        : `The model's ${section} is ${describeJsonType(humanoid)}, not an object.`,
    );
  }
  const entries = vrm.version === '1.0' ? bonesOf1(humanoid.humanBones) : bonesOf0(humanoid.humanBones);
  if (entries === null) {
    const expected = vrm.version === '1.0' ? 'an object' : 'an array';
    throw new SourceRejected(`The model's ${section}.humanBones is ${describeJsonType(humanoid.humanBones)}, not ${expected} of bones.`);
  }
  if (entries.length > MAX_BONES) {
    throw new SourceRejected(`The model's humanoid lists ${entries.length} bones; a VRM humanoid has at most 55.`);
  }

  const names: string[] = [];
  const badNodes: string[] = [];
  for (const { name, node } of entries) {
    if (names.includes(name)) continue; // 0.x lists bones in an array; the first mapping of a name is the one used
    names.push(name);
    if (!Number.isInteger(node) || (node as number) < 0 || (node as number) >= nodeCount) {
      badNodes.push(`${clipName(name)} (node ${describeNode(node)})`);
    }
  }
  if (badNodes.length > 0) {
    throw new SourceRejected(
      `The model's humanoid bones point at nodes that do not exist (the model has ${nodeCount} node${nodeCount === 1 ? '' : 's'}): ` +
        `${listSome(badNodes)}.`,
    );
  }

  const required = vrm.version === '1.0' ? REQUIRED_BONES_1 : REQUIRED_BONES_0;
  const missing = required.filter((bone) => !names.includes(bone));
  if (missing.length > 0) {
    throw new SourceRejected(
      `The model's humanoid lacks bone${missing.length === 1 ? '' : 's'} that VRM ${vrm.version} requires: ${missing.join(', ')}.`,
    );
  }
  return names.map(clipName);
}

/** 1.0: `{ "hips": { "node": 3 }, ... }`. */
function bonesOf1(humanBones: unknown): BoneEntry[] | null {
  if (!isJsonObject(humanBones)) return null;
  return Object.entries(humanBones).map(([name, bone]) => ({
    name,
    node: isJsonObject(bone) ? bone.node : undefined,
  }));
}

/** 0.x: `[{ "bone": "hips", "node": 3 }, ...]`; entries without a bone name say nothing and are passed over. */
function bonesOf0(humanBones: unknown): BoneEntry[] | null {
  if (!Array.isArray(humanBones)) return null;
  const entries: BoneEntry[] = [];
  for (const bone of humanBones) {
    if (isJsonObject(bone) && typeof bone.bone === 'string') entries.push({ name: bone.bone, node: bone.node });
  }
  return entries;
}

function describeNode(node: unknown): string {
  if (node === undefined) return 'missing';
  if (typeof node === 'number') return String(node);
  return describeJsonType(node);
}

function listSome(items: string[]): string {
  const shown = items.slice(0, MAX_NAMED).join(', ');
  return items.length > MAX_NAMED ? `${shown} and ${items.length - MAX_NAMED} more` : shown;
}

function clipName(name: string): string {
  return name.length > 100 ? `${name.slice(0, 100)}…` : name;
}
