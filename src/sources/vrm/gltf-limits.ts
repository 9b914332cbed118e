import { SourceRejected } from '../source-rejected.ts';

/**
 * The most elements of each kind a model may hold (glTF's top-level arrays). A VRoid or UniVRM avatar has a few
 * hundred nodes and at most a few thousand accessors (one per morph target and primitive); these limits are ten to a
 * hundred times that. Past them a file is a denial of service, not an avatar: a 14.7 MB JSON of 780,000 nodes took the
 * Khronos validator 7.9 s and 350 MB. Documented in docs/uploads.md.
 */
export const MAX_GLTF_ELEMENTS: Readonly<Record<string, number>> = {
  nodes: 10_000,
  accessors: 50_000,
  bufferViews: 50_000,
  meshes: 5_000,
  materials: 1_000,
  textures: 1_000,
  images: 1_000,
  samplers: 1_000,
  skins: 1_000,
  animations: 1_000,
  cameras: 100,
  scenes: 100,
  buffers: 16,
  extensionsUsed: 100,
  extensionsRequired: 100,
};

/**
 * The most JSON values (array elements and object members, counted by a byte scan before parsing) the JSON chunk may
 * hold. A real VRM's JSON holds a few thousand to about 100,000; the cap bounds what JSON.parse allocates, and with it
 * every nested array the per-kind limits above do not name (children, joints, primitives, targets, VRM sections).
 */
export const MAX_JSON_VALUES = 1_000_000;

/** Refuses a glTF with more elements of one kind than MAX_GLTF_ELEMENTS allows, naming the kind and the limit. */
export function checkElementCounts(gltf: Record<string, unknown>): void {
  for (const [kind, limit] of Object.entries(MAX_GLTF_ELEMENTS)) {
    const elements = gltf[kind];
    if (Array.isArray(elements) && elements.length > limit) {
      throw new SourceRejected(
        `The model has ${elements.length.toLocaleString('en-US')} ${kind}; at most ${limit.toLocaleString('en-US')} are allowed.`,
      );
    }
  }
}

/** Refuses a JSON chunk holding more than MAX_JSON_VALUES values, before it is parsed. */
export function checkJsonValueCount(values: number): void {
  if (values > MAX_JSON_VALUES) {
    throw new SourceRejected(
      `The model's JSON holds more than ${MAX_JSON_VALUES.toLocaleString('en-US')} values; ` +
        `no avatar needs that many, so the file is refused.`,
    );
  }
}
