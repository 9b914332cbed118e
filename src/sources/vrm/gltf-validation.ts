import { SourceRejected } from '../source-rejected.ts';
import { runKhronosValidator, ValidatorFailed, type ValidatorMessage } from './khronos-validator-thread.ts';

// Information and hint codes (gltf-validator's ISSUES.md): never a reason to refuse, and some repeat once per
// object, so they are left out of the report, which can then be unlimited without truncating away an error.
const INFORMATION_CODES = [
  'EXTRA_PROPERTY',
  'KHR_MATERIALS_IRIDESCENCE_THICKNESS_RANGE_WITHOUT_TEXTURE',
  'KHR_MATERIALS_IRIDESCENCE_THICKNESS_TEXTURE_UNUSED',
  'NODE_EMPTY',
  'NODE_MATRIX_DEFAULT',
  'NON_OBJECT_EXTRAS',
  'BUFFER_VIEW_TARGET_MISSING',
  'INCOMPLETE_EXTENSION_SUPPORT',
  'UNSUPPORTED_EXTENSION',
  'UNUSED_MESH_TANGENT',
  'UNUSED_MESH_WEIGHTS',
  'UNUSED_OBJECT',
  'ACCESSOR_INDEX_TRIANGLE_DEGENERATE',
  'IMAGE_NPOT_DIMENSIONS',
  'URI_GLB',
  'GLB_EMPTY_BIN_CHUNK',
];

// Warnings that every ordinary VRM raises and that change nothing for the avatar: 0.x's extension is named "VRM"
// (no vendor prefix), MToon materials carry KHR_materials_unlit as a fallback, VRoid's PNGs carry colour-space
// chunks, exporters leave tangents to the renderer, and skinning exporters leave zero-weight joint indices.
const HARMLESS_VRM_WARNINGS = [
  'INVALID_EXTENSION_NAME_FORMAT',
  'MULTIPLE_EXTENSIONS',
  'IMAGE_FEATURES_UNSUPPORTED',
  'MESH_PRIMITIVE_GENERATED_TANGENT_SPACE',
  'ACCESSOR_JOINTS_USED_ZERO_WEIGHT',
];

/** Validator warnings told to the uploader, one sentence per issue code. */
export const MAX_VALIDATOR_WARNINGS = 10;
const MAX_MESSAGE_CHARS = 240;

/**
 * Runs the Khronos glTF validator over the GLB. Errors refuse the model with a sentence naming the first ones;
 * warnings come back as sentences (at most MAX_VALIDATOR_WARNINGS, one per issue code).
 */
export async function validateGltf(glb: Uint8Array): Promise<string[]> {
  let messages: ValidatorMessage[];
  let numErrors: number;
  try {
    const issues = await runKhronosValidator(glb, {
      format: 'glb',
      maxIssues: 0,
      writeTimestamp: false,
      ignoredIssues: [...INFORMATION_CODES, ...HARMLESS_VRM_WARNINGS],
      // Unpadded chunks break no loader; the container reader already reports them as a warning.
      severityOverrides: { GLB_CHUNK_LENGTH_UNALIGNED: 2 },
    });
    messages = Array.isArray(issues?.messages) ? issues.messages : [];
    numErrors = typeof issues?.numErrors === 'number' ? issues.numErrors : 0;
  } catch (error) {
    if (!(error instanceof ValidatorFailed)) throw error;
    throw new SourceRejected(`The glTF validator could not read the model (${clip(error.message)}); the file is malformed.`);
  }
  const errors = messages.filter((m) => m.severity === 0);
  if (errors.length > 0 || numErrors > 0) throw new SourceRejected(describeErrors(errors));
  return describeWarnings(messages.filter((m) => m.severity === 1));
}

function describeErrors(errors: ValidatorMessage[]): string {
  if (errors.length === 0) return 'The model is not valid glTF (the glTF validator found errors).';
  const named = errors.slice(0, 2).map(describeError).join('; ');
  const more = errors.length > 2 ? ` (and ${errors.length - 2} more error${errors.length === 3 ? '' : 's'})` : '';
  return `The model is not valid glTF: ${named}${more}.`;
}

function describeError(error: ValidatorMessage): string {
  if (error.code === 'IO_ERROR') {
    return `it refers to a file outside the model (${location(error)}), and a VRM must hold all its data inside the .vrm file`;
  }
  return `${clip(stripFinalStop(error.message))} (${location(error)})`;
}

function describeWarnings(warnings: ValidatorMessage[]): string[] {
  const byCode = new Map<string, ValidatorMessage[]>();
  for (const warning of warnings) {
    const group = byCode.get(warning.code) ?? [];
    group.push(warning);
    byCode.set(warning.code, group);
  }
  const sentences: string[] = [];
  for (const group of byCode.values()) {
    if (sentences.length === MAX_VALIDATOR_WARNINGS) break;
    const first = group[0];
    const places = group.length > 1 ? ` and ${group.length - 1} more place${group.length === 2 ? '' : 's'}` : '';
    sentences.push(`The glTF validator warns: ${clip(stripFinalStop(first.message))} (${location(first)}${places}).`);
  }
  return sentences;
}

function location(message: ValidatorMessage): string {
  if (typeof message.pointer === 'string') return `at ${clip(message.pointer)}`;
  if (typeof message.offset === 'number') return `at byte ${message.offset}`;
  return 'in the file';
}

function stripFinalStop(text: string): string {
  return String(text).replace(/\.$/, '');
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
