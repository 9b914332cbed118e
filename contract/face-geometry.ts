/**
 * The face analysis that the API's portrait preprocessing writes beside `image.png` as `face.json`, and the
 * rendering container reads (PORTRAIT_FACE).
 */
export interface FaceGeometry {
  width: number;
  height: number;
  /** [x, y, w, h] in pixels of image.png. */
  box: [number, number, number, number];
  score: number;
  /** 478 MediaPipe FaceMesh points (468..477 are the irises), pixels of image.png. */
  landmarks: [number, number, number][];
  /**
   * The photo's lips are clearly apart at rest (inner-lip gap over a quarter of the mouth's width): speech starts from
   * an open mouth, so closing it for p, b, m must draw lips that the photo does not show. A smile showing teeth is not
   * open. Absent in face.json written before preprocessing measured it.
   */
  mouthOpenAtRest?: boolean;
}

export const FACE_MESH_POINTS = 478;

/** Checks a parsed face.json; throws a sentence naming what is wrong. */
export function parseFaceGeometry(value: unknown): FaceGeometry {
  const face = value as Partial<FaceGeometry> | null;
  if (!face || typeof face !== 'object') throw new Error('The face geometry is not a JSON object.');
  if (!isPositive(face.width) || !isPositive(face.height)) {
    throw new Error('The face geometry needs a positive width and height.');
  }
  if (!Array.isArray(face.box) || face.box.length !== 4 || !face.box.every(Number.isFinite)) {
    throw new Error('The face geometry needs a box of four numbers.');
  }
  if (!Array.isArray(face.landmarks) || face.landmarks.length < FACE_MESH_POINTS) {
    throw new Error(`The face geometry needs ${FACE_MESH_POINTS} landmarks (FaceMesh with irises).`);
  }
  for (const point of face.landmarks) {
    if (!Array.isArray(point) || point.length < 2 || !Number.isFinite(point[0]) || !Number.isFinite(point[1])) {
      throw new Error('Every face landmark must be an [x, y, z] array of numbers.');
    }
  }
  return {
    width: face.width!,
    height: face.height!,
    box: face.box as FaceGeometry['box'],
    score: typeof face.score === 'number' ? face.score : 0,
    landmarks: face.landmarks as FaceGeometry['landmarks'],
    ...(typeof face.mouthOpenAtRest === 'boolean' ? { mouthOpenAtRest: face.mouthOpenAtRest } : {}),
  };
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
