export { inspectVrm, type VrmSourceInfo } from './inspect-vrm.ts';
export { isGlb, MAX_JSON_CHUNK_BYTES } from './glb-container.ts';
export { MAX_GLTF_ELEMENTS, MAX_JSON_VALUES } from './gltf-limits.ts';
export { VISEMES, type Viseme } from './expressions.ts';
