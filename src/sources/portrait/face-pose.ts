/**
 * What a face's FaceMesh landmarks say about its pose and expression in the photo, in numbers that preprocessing
 * turns into warnings. Indices are MediaPipe FaceMesh's (face_mesh_connections); "right" is the subject's right.
 */
type Mesh = readonly (readonly [number, number, number])[];

const FOREHEAD = 10;
const CHIN = 152;
/** Face contour points level with the eyes, near the ears: the widest pair, and far behind the nose in depth. */
const RIGHT_CHEEK = 234;
const LEFT_CHEEK = 454;
const UPPER_LIP_INNER = 13;
const LOWER_LIP_INNER = 14;
const RIGHT_MOUTH_CORNER = 61;
const LEFT_MOUTH_CORNER = 291;
// Each eye: upper and lower lid at the middle, then the two corners.
const RIGHT_EYE = { upper: 159, lower: 145, corners: [33, 133] };
const LEFT_EYE = { upper: 386, lower: 374, corners: [362, 263] };

export interface FacePose {
  /** Clockwise turn of the face's chin-to-forehead line from upright, in degrees (-180..180]. */
  roll: number;
  /** Turn about the vertical axis in degrees, from the mesh's depth at the cheeks; positive: towards the photo's right. */
  yaw: number;
  /** Gap between the inner lips over the mouth's width: about 0 closed, 0.1 to 0.2 a smile showing teeth, 0.3+ open. */
  lipGap: number;
  /** Lid gap over eye width, the mean of both eyes: about 0.3 to 0.5 open, under 0.2 closed. */
  eyeOpenness: number;
}

export function measureFacePose(mesh: Mesh): FacePose {
  const up = [mesh[FOREHEAD][0] - mesh[CHIN][0], mesh[FOREHEAD][1] - mesh[CHIN][1]];
  const roll = degrees(Math.atan2(up[0], -up[1]));
  // Depth against width across the cheeks, measured along the face's own horizontal (the roll taken out).
  const along = (i: number) => mesh[i][0] * Math.cos(radians(roll)) + mesh[i][1] * Math.sin(radians(roll));
  const yaw = degrees(Math.atan2(mesh[LEFT_CHEEK][2] - mesh[RIGHT_CHEEK][2], along(LEFT_CHEEK) - along(RIGHT_CHEEK)));
  const lipGap = distance(mesh, UPPER_LIP_INNER, LOWER_LIP_INNER) / distance(mesh, RIGHT_MOUTH_CORNER, LEFT_MOUTH_CORNER);
  const eye = (e: typeof RIGHT_EYE) => distance(mesh, e.upper, e.lower) / distance(mesh, e.corners[0], e.corners[1]);
  return { roll, yaw, lipGap, eyeOpenness: (eye(RIGHT_EYE) + eye(LEFT_EYE)) / 2 };
}

function distance(mesh: Mesh, a: number, b: number): number {
  return Math.hypot(mesh[a][0] - mesh[b][0], mesh[a][1] - mesh[b][1]);
}

function degrees(angle: number): number {
  return (angle * 180) / Math.PI;
}

function radians(angle: number): number {
  return (angle * Math.PI) / 180;
}
