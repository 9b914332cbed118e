import { isJsonObject } from './json-shape.ts';
import type { VrmExtension } from './vrm-extension.ts';

/** The VRM 1.0 lip-sync presets, in the order the avatar's mouth uses them. */
export const VISEMES = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;
export type Viseme = (typeof VISEMES)[number];

// 0.x names its vowel presets a, i, u, e, o (VRM 0.0 README, blendShapeGroups.presetName).
const VISEME_OF_0: Record<string, Viseme> = { a: 'aa', i: 'ih', u: 'ou', e: 'ee', o: 'oh' };

const MAX_EXPRESSIONS = 256;
const MAX_NAME_CHARS = 100;

export interface FaceAbilities {
  expressions: string[];
  visemes: Viseme[];
  blink: boolean;
  lookAt: boolean;
}

/** What the model's face can do: its expressions, which visemes and whether it can blink and move its eyes. */
export function readFaceAbilities(vrm: VrmExtension, humanoidBones: string[]): FaceAbilities {
  return vrm.version === '1.0' ? readFace1(vrm.data, humanoidBones) : readFace0(vrm.data, humanoidBones);
}

function readFace1(data: Record<string, unknown>, bones: string[]): FaceAbilities {
  const expressions = isJsonObject(data.expressions) ? data.expressions : {};
  const presets = objectKeys(expressions.preset);
  const custom = objectKeys(expressions.custom);
  const has = (name: string) => presets.includes(name);
  return {
    expressions: unique([...presets, ...custom]),
    visemes: VISEMES.filter(has),
    blink: has('blink') || (has('blinkLeft') && has('blinkRight')),
    // three-vrm builds a look-at only from a lookAt section; its type defaults to bone.
    lookAt:
      isJsonObject(data.lookAt) &&
      canLook(data.lookAt.type === 'expression' ? 'expression' : 'bone', bones, ['lookUp', 'lookDown', 'lookLeft', 'lookRight'].some(has)),
  };
}

function readFace0(data: Record<string, unknown>, bones: string[]): FaceAbilities {
  const master = isJsonObject(data.blendShapeMaster) ? data.blendShapeMaster : {};
  const groups = Array.isArray(master.blendShapeGroups) ? master.blendShapeGroups.slice(0, MAX_EXPRESSIONS) : [];
  const presets: string[] = [];
  const names: string[] = [];
  for (const group of groups) {
    if (!isJsonObject(group)) continue;
    const preset = typeof group.presetName === 'string' ? group.presetName.toLowerCase() : 'unknown';
    if (preset !== 'unknown' && preset !== '') {
      presets.push(preset);
      names.push(preset);
    } else if (typeof group.name === 'string' && group.name !== '') {
      names.push(group.name);
    }
  }
  const has = (name: string) => presets.includes(name);
  const firstPerson = data.firstPerson;
  return {
    expressions: unique(names.map(clipName)),
    visemes: VISEMES.filter((viseme) => presets.some((preset) => VISEME_OF_0[preset] === viseme)),
    blink: has('blink') || (has('blink_l') && has('blink_r')),
    // three-vrm builds a 0.x look-at from firstPerson; lookAtTypeName "BlendShape" moves the eyes by expressions.
    lookAt:
      isJsonObject(firstPerson) &&
      canLook(
        firstPerson.lookAtTypeName === 'BlendShape' ? 'expression' : 'bone',
        bones,
        ['lookup', 'lookdown', 'lookleft', 'lookright'].some(has),
      ),
  };
}

/** A look-at moves something only when what it drives exists: eye bones, or look expressions. */
function canLook(type: 'bone' | 'expression', bones: string[], hasLookExpressions: boolean): boolean {
  return type === 'bone' ? bones.includes('leftEye') || bones.includes('rightEye') : hasLookExpressions;
}

/** Keys whose values are expression objects; anything else in the map defines nothing. */
function objectKeys(map: unknown): string[] {
  if (!isJsonObject(map)) return [];
  return Object.keys(map)
    .filter((key) => isJsonObject(map[key]))
    .slice(0, MAX_EXPRESSIONS)
    .map(clipName);
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

function clipName(name: string): string {
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
}
