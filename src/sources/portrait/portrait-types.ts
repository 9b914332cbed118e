import type { FaceGeometry } from '../../../contract/face-geometry.ts';

/** The three still-image formats a portrait may be uploaded in. */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/** What the avatar object shows as `sourceInfo` for a portrait (docs/design.md). */
export interface PortraitSourceInfo {
  /** Of the uploaded image after EXIF orientation (and turned upright when the face lay turned), before any downscaling. */
  width: number;
  height: number;
  face: {
    /** x, y, w, h in pixels of the oriented uploaded image (same frame as width/height). */
    box: [number, number, number, number];
    /** Number of landmark points found (478: FaceMesh 468 + 10 iris). */
    landmarks: number;
    /** The face model's confidence, 0..1. */
    score: number;
  };
  /** Sentences for a person: things that worked but may give a poorer result. */
  warnings: string[];
}

/**
 * Stored as face.json beside image.png: the rendering container's input, so the container owns the type
 * (x, y in pixels of the artifact's `image`; 478 MediaPipe points in MediaPipe's order, z as the model gives it).
 */
export type { FaceGeometry };

export interface PortraitArtifact {
  /** PNG, EXIF orientation applied, 8-bit RGB, long side at most 1024 px. */
  image: Buffer;
  face: FaceGeometry;
}
