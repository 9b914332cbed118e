export { inspectVrm, type VrmSourceInfo } from './inspect-vrm.ts';
export { isGlb, MAX_JSON_CHUNK_BYTES } from './glb-container.ts';
export { VISEMES, type Viseme } from './expressions.ts';
