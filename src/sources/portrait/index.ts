export type { ImageType, PortraitSourceInfo, FaceGeometry, PortraitArtifact } from './portrait-types.ts';
export { sniffImage } from './image-type.ts';
export { stripPortraitMetadata } from './strip-portrait-metadata.ts';
export { preprocessPortrait } from './preprocess-portrait.ts';
export { turnStoredPortrait } from './turn-stored-portrait.ts';
export { FACE_MODEL_DIR } from './face-model.ts';
export { warmUpFaceModel } from './face-detection-thread.ts';
export { MAX_PORTRAIT_BYTES, MAX_PORTRAIT_PIXELS, MAX_IMAGE_SIDE } from './decode-portrait.ts';
