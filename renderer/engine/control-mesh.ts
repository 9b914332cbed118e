import type { CoverFit } from './cover-fit.ts';
import { triangulate } from './delaunay.ts';
import type { FaceGeometry } from '../../contract/face-geometry.ts';
import { FACE_OVAL, FACE_STRUCTURE, IRISES, JAW, LEFT_EYE, MOUTH, RIGHT_EYE, type EyeIndices } from './landmark-indices.ts';

/**
 * The control mesh in output space: chosen landmarks, rings of points around the head whose weight falls to
 * exactly 0 on the outer ring, and fixed points on the frame border. Everything outside the outer ring is
 * covered by triangles whose vertices never move, so the background stays byte-identical.
 */
export interface ControlMesh {
  count: number;
  restX: Float64Array;
  restY: Float64Array;
  triangles: Uint32Array;
  /** How much of the head's motion each point follows: 1 on the face, 0 on the outer ring. */
  headWeight: Float64Array;
  /** How much of the breathing rise each point follows: the head and the shoulders below it, 0 on the outer ring. */
  breathWeight: Float64Array;
  /** Mesh point of each FaceMesh landmark, or -1 when the landmark is not in the mesh. */
  pointOf: Int32Array;
  eyes: EyeRig[];
  /** Every mesh point that belongs to an eye's rig (lids, folds, irises, brows). */
  eyePoints: Set<number>;
  face: { centreX: number; centreY: number; radiusX: number; radiusY: number; height: number };
  mouthWidth: number;
  /** Follows the upper lip, one point just above each inner-lower-lip point (same order as MOUTH.innerLower). */
  mouthSeam: number[];
}

export interface EyeRig {
  upper: number[];
  lower: number[];
  outerCorner: number;
  innerCorner: number;
  crease: number[];
  under: number[];
  irisPoints: number[];
  width: number;
}

/**
 * Rings around the face, radii in face-oval radii (larger below, to take in the shoulders), with the head and
 * breathing weights they carry above and below the face centre. The last ring is fixed.
 */
const RINGS = [
  { radius: 1.3, below: 1.3, head: [1, 1], breath: [1, 1], points: 24 },
  { radius: 1.75, below: 2.6, head: [0.45, 0.25], breath: [0.6, 0.8], points: 28 },
  { radius: 2.3, below: 3.8, head: [0, 0], breath: [0, 0], points: 32 },
];
const BORDER_SPACING = 64;
/** Structure landmarks closer than this to the lips (in mouth widths) are left out of the mesh. */
const MOUTH_CLEARANCE = 0.3;

export function buildControlMesh(face: FaceGeometry, fit: CoverFit, width: number, height: number): ControlMesh {
  const toX = (x: number) => (x - fit.cropX) * fit.scale;
  const toY = (y: number) => (y - fit.cropY) * fit.scale;
  const lm = face.landmarks;
  const xs: number[] = [];
  const ys: number[] = [];
  const weights: number[] = [];
  const breathing: number[] = [];
  const pointOf = new Int32Array(lm.length).fill(-1);

  const addPoint = (x: number, y: number, weight: number, nudge = true, breath = weight): number => {
    // Coincident points break the triangulation; nudging a rest point is harmless since rest maps to itself.
    for (let guard = 0; nudge && guard < 8 && xs.some((px, i) => Math.abs(px - x) < 0.35 && Math.abs(ys[i] - y) < 0.35); guard++) {
      y += 0.4;
    }
    xs.push(x);
    ys.push(y);
    weights.push(weight);
    breathing.push(breath);
    return xs.length - 1;
  };
  const addLandmark = (index: number): number => {
    if (pointOf[index] >= 0) return pointOf[index];
    pointOf[index] = addPoint(toX(lm[index][0]), toY(lm[index][1]), 1);
    return pointOf[index];
  };

  const oval = FACE_OVAL.map((i) => [toX(lm[i][0]), toY(lm[i][1])]);
  const minX = Math.min(...oval.map((p) => p[0]));
  const maxX = Math.max(...oval.map((p) => p[0]));
  const minY = Math.min(...oval.map((p) => p[1]));
  const maxY = Math.max(...oval.map((p) => p[1]));
  const centreX = (minX + maxX) / 2;
  const centreY = (minY + maxY) / 2;
  const radiusX = Math.max(4, (maxX - minX) / 2);
  const radiusY = Math.max(4, (maxY - minY) / 2);

  // Lids and mouth first, so that any nudge from a coincident point lands on the less important one.
  const eyes = [RIGHT_EYE, LEFT_EYE].map((eye) => addEye(eye, addLandmark));
  for (const i of [MOUTH.leftCorner, MOUTH.rightCorner, MOUTH.innerCornerLeft, MOUTH.innerCornerRight]) addLandmark(i);
  for (const i of [...MOUTH.innerUpper, ...MOUTH.outerUpper, ...MOUTH.outerLower]) addLandmark(i);
  // The seam: a copy of the inner lower lip that stays with the upper lip, so an opening jaw stretches only a
  // sliver between seam and lower lip (painted over as the mouth's inside) and never the teeth above it.
  const mouthSeam: number[] = [];
  for (let k = 0; k < MOUTH.innerLower.length; k++) {
    const lower = lm[MOUTH.innerLower[k]];
    const x = toX(lower[0]);
    const upperY = ys[pointOf[MOUTH.innerUpper[k]]];
    const lowerY = Math.max(toY(lower[1]), upperY + 1);
    mouthSeam.push(addPoint(x, lowerY - 0.5, 1, false));
    pointOf[MOUTH.innerLower[k]] = addPoint(x, lowerY, 1, false);
  }
  for (const i of [...JAW.chinFront, ...JAW.chinContour, ...JAW.jawLine, ...FACE_OVAL]) addLandmark(i);
  // Skin points crowded around the lips would be crossed by a moving lip corner: keep only those at a distance.
  const lipPoints = [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower].map((i) => lm[i]);
  const mouthWidth = Math.hypot(lm[MOUTH.rightCorner][0] - lm[MOUTH.leftCorner][0], lm[MOUTH.rightCorner][1] - lm[MOUTH.leftCorner][1]);
  for (const i of FACE_STRUCTURE) {
    const near = lipPoints.some((q) => Math.hypot(q[0] - lm[i][0], q[1] - lm[i][1]) < mouthWidth * MOUTH_CLEARANCE);
    if (!near) addLandmark(i);
  }
  addIrises(eyes, lm, toX, toY, xs, ys, addPoint);

  for (const ring of RINGS) {
    for (let k = 0; k < ring.points; k++) {
      const angle = (2 * Math.PI * (k + (ring.points % 2 ? 0 : 0.5))) / ring.points;
      const below = Math.sin(angle) > 0 ? 1 : 0;
      const x = centreX + Math.cos(angle) * radiusX * ring.radius;
      const y = centreY + Math.sin(angle) * radiusY * (below ? ring.below : ring.radius);
      if (x < 2 || y < 2 || x > width - 2 || y > height - 2) continue;
      addPoint(x, y, ring.head[below], true, ring.breath[below]);
    }
  }
  addBorder(width, height, (x, y) => addPoint(x, y, 0));

  const eyeLandmarks = [RIGHT_EYE, LEFT_EYE].flatMap((eye) => [
    eye.outerCorner,
    eye.innerCorner,
    ...eye.upperLid,
    ...eye.lowerLid,
    ...eye.creaseRows.flat(),
    ...eye.underRows.flat(),
    ...eye.brow,
  ]);
  const restX = Float64Array.from(xs);
  const restY = Float64Array.from(ys);
  return {
    count: xs.length,
    restX,
    restY,
    triangles: triangulate(restX, restY),
    headWeight: Float64Array.from(weights),
    breathWeight: Float64Array.from(breathing),
    pointOf,
    eyePoints: new Set(eyeLandmarks.map((i) => pointOf[i]).concat(eyes.flatMap((eye) => eye.irisPoints))),
    eyes: eyes.map((eye) => ({
      ...eye,
      width: Math.hypot(xs[eye.outerCorner] - xs[eye.innerCorner], ys[eye.outerCorner] - ys[eye.innerCorner]),
    })),
    face: { centreX, centreY, radiusX, radiusY, height: maxY - minY },
    mouthSeam,
    mouthWidth: Math.abs(toX(lm[MOUTH.rightCorner][0]) - toX(lm[MOUTH.leftCorner][0])),
  };
}

function addEye(eye: EyeIndices, addLandmark: (index: number) => number): Omit<EyeRig, 'width'> {
  const outerCorner = addLandmark(eye.outerCorner);
  const innerCorner = addLandmark(eye.innerCorner);
  const upper = eye.upperLid.map(addLandmark);
  const lower = eye.lowerLid.map(addLandmark);
  const crease = eye.creaseRows[0].map(addLandmark);
  const under = eye.underRows[0].map(addLandmark);
  for (const i of [...eye.creaseRows[1], ...eye.underRows[1], ...eye.brow]) addLandmark(i);
  return { upper, lower, outerCorner, innerCorner, crease, under, irisPoints: [] };
}

/**
 * Iris points go to the eye they sit in, and only those well inside the opening: a rim point hidden under a lid
 * would fold the mesh when the lid closes over it.
 */
function addIrises(
  eyes: Omit<EyeRig, 'width'>[],
  lm: FaceGeometry['landmarks'],
  toX: (x: number) => number,
  toY: (y: number) => number,
  xs: number[],
  ys: number[],
  addPoint: (x: number, y: number, weight: number) => number,
): void {
  for (const iris of IRISES) {
    const cx = toX(lm[iris[0]][0]);
    const cy = toY(lm[iris[0]][1]);
    const eye = eyes.reduce((best, e) => (eyeDistance(e, cx, cy, xs, ys) < eyeDistance(best, cx, cy, xs, ys) ? e : best));
    for (const index of iris) {
      const x = toX(lm[index][0]);
      const y = toY(lm[index][1]);
      const f = lidFraction(eye, xs, ys, x, y);
      const left = Math.min(xs[eye.outerCorner], xs[eye.innerCorner]);
      const right = Math.max(xs[eye.outerCorner], xs[eye.innerCorner]);
      const margin = (right - left) * 0.15;
      if (f === null || f < 0.2 || f > 0.8 || x < left + margin || x > right - margin) continue;
      eye.irisPoints.push(addPoint(x, y, 1));
    }
  }
}

function eyeDistance(eye: Omit<EyeRig, 'width'>, x: number, y: number, xs: number[], ys: number[]): number {
  const mx = (xs[eye.outerCorner] + xs[eye.innerCorner]) / 2;
  const my = (ys[eye.outerCorner] + ys[eye.innerCorner]) / 2;
  return Math.hypot(mx - x, my - y);
}

/** 0 on the upper lid, 1 on the lower lid, at column x; null outside the eye. */
export function lidFraction(
  eye: Pick<EyeRig, 'upper' | 'lower' | 'outerCorner' | 'innerCorner'>,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  x: number,
  y: number,
): number | null {
  const top = lidY(eye, eye.upper, xs, ys, x);
  const bottom = lidY(eye, eye.lower, xs, ys, x);
  if (top === null || bottom === null || bottom - top < 1e-6) return null;
  return (y - top) / (bottom - top);
}

/** The lid line's height at column x, linear between the lid's points and the two corners. */
export function lidY(
  eye: Pick<EyeRig, 'outerCorner' | 'innerCorner'>,
  lid: number[],
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  x: number,
): number | null {
  const chain = [eye.outerCorner, ...lid, eye.innerCorner];
  for (let k = 0; k + 1 < chain.length; k++) {
    const x0 = xs[chain[k]];
    const x1 = xs[chain[k + 1]];
    if ((x >= x0 && x <= x1) || (x >= x1 && x <= x0)) {
      const t = x1 === x0 ? 0 : (x - x0) / (x1 - x0);
      return ys[chain[k]] + t * (ys[chain[k + 1]] - ys[chain[k]]);
    }
  }
  return null;
}

function addBorder(width: number, height: number, add: (x: number, y: number) => void): void {
  const across = Math.max(1, Math.round(width / BORDER_SPACING));
  const down = Math.max(1, Math.round(height / BORDER_SPACING));
  for (let k = 0; k <= across; k++) {
    add((width * k) / across, 0);
    add((width * k) / across, height);
  }
  for (let k = 1; k < down; k++) {
    add(0, (height * k) / down);
    add(width, (height * k) / down);
  }
}
