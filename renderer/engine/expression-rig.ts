import type { ExpressionWeights } from '../../contract/expressions.ts';
import type { BrowPose } from './brow-rig.ts';
import type { ControlMesh } from './control-mesh.ts';
import type { MouthInput } from './face-rig.ts';
import type { FaceState } from './face-state.ts';
import type { IdlePose } from './idle-motion.ts';
import { MOUTH } from './landmark-indices.ts';

/** The face's shape for one frame beyond idle motion and speech: brows and lids, then mouth corners and cheeks. */
export interface ExpressionPose extends BrowPose {
  /** Mouth corners up (and out) when positive, down when negative; -1..1. */
  smile: number;
  /** Cheeks raised, 0..1. */
  cheek: number;
  /** Lips pressed thin, 0..1. */
  press: number;
  /** Lips drawn in towards the middle, 0..1. */
  pucker: number;
}

/** Mouth corner travel at a full smile, in face heights (up) and mouth widths (out). */
const SMILE_UP = 0.045;
const SMILE_OUT = 0.05;
const FROWN_DOWN = 0.05;
const CHEEK_UP = 0.025;
/** Share of each lip's thickness that pressed lips lose. */
const PRESS = 0.35;
const PUCKER = 0.14;
/** Jaw opening of a surprised face, as MouthInput.open (0.34 drops the jaw 0.2 of its reach: face-rig.ts's curve). */
const SURPRISE_JAW = 0.34;
/** Where a thinking face looks: up and to the image's right, in gaze units (-1..1). */
const THINKING_GAZE = { x: 0.55, y: -0.6 };

/**
 * How each emotion moves the face, scaled by its weight and summed, so emotions blend linearly with each other and
 * with the brows of emphasis (talk.brows):
 * - happy: mouth corners up and out, cheeks raised, lower lids pushed up (narrowed eyes), brows a touch up;
 * - sad: corners down, inner brow ends up, upper lids drooping;
 * - surprised: brows up, eyes wider, jaw slightly open (expressionMouth);
 * - angry: brows down and together, lips pressed, eyes narrowed;
 * - thinking: one brow up and the other a little down, lips drawn in, gaze up and aside (expressionIdlePose).
 * Null when nothing moves, so such frames stay byte-identical to idle ones.
 */
export function expressionPose(face: FaceState | undefined): ExpressionPose | null {
  const w = face?.expression ?? {};
  const happy = weight(w.happy);
  const sad = weight(w.sad);
  const surprised = weight(w.surprised);
  const angry = weight(w.angry);
  const thinking = weight(w.thinking);
  const brows = weight(face?.talk?.brows);
  if (happy + sad + surprised + angry + thinking + brows === 0) return null;
  const raise = 0.15 * happy + surprised + 0.7 * brows;
  return {
    raise: [Math.min(1.2, raise), Math.min(1.2, raise + 0.85 * thinking)],
    inner: sad,
    knit: [Math.min(1, 0.3 * sad + angry + 0.35 * thinking), Math.min(1, 0.3 * sad + angry)],
    lidOpen: Math.max(-1, Math.min(1, 0.9 * surprised - 0.35 * sad)),
    lidNarrow: Math.min(1, 0.6 * happy + 0.35 * angry + 0.15 * thinking),
    smile: Math.max(-1, Math.min(1, happy - 0.85 * sad - 0.15 * angry)),
    cheek: happy,
    press: angry,
    pucker: 0.6 * thinking,
  };
}

/**
 * The idle pose with the face state's head and gaze on top: speech nods and tilts, blinks (speech motion's own,
 * or the idle ones and speech's by max), the listener's attention on the viewer, a thinking face's glance up and
 * aside, a sad face's lowered head. Returns `idle` itself when the state changes nothing.
 */
export function expressionIdlePose(idle: IdlePose, face: FaceState | undefined): IdlePose {
  const talk = face?.talk;
  const w = face?.expression ?? {};
  const sad = weight(w.sad);
  const surprised = weight(w.surprised);
  const thinking = weight(w.thinking);
  if (!talk && sad + surprised + thinking === 0) return idle;
  const attend = weight(talk?.attend);
  let gazeX = idle.gazeX * (1 - 0.7 * attend);
  let gazeY = idle.gazeY * (1 - 0.7 * attend);
  gazeX += (THINKING_GAZE.x - gazeX) * 0.85 * thinking;
  gazeY += (THINKING_GAZE.y - gazeY) * 0.85 * thinking + 0.3 * sad;
  return {
    blink: talk ? (talk.ownsBlinks ? weight(talk.blink) : Math.max(idle.blink, weight(talk.blink))) : idle.blink,
    gazeX,
    gazeY,
    headRoll: idle.headRoll + (talk?.tilt ?? 0) + 0.035 * thinking,
    headX: idle.headX,
    headY: idle.headY + (talk?.nod ?? 0) + 0.012 * sad - 0.008 * surprised,
    breath: idle.breath,
  };
}

/** The mouth with a surprised face's dropped jaw under it; `mouth` itself when no jaw moves (idle stays idle). */
export function expressionMouth(mouth: MouthInput | undefined, expression: ExpressionWeights | undefined): MouthInput | undefined {
  const jaw = SURPRISE_JAW * weight(expression?.surprised);
  if (jaw === 0) return mouth;
  return { ...mouth, open: Math.max(jaw, mouth?.open ?? 0) };
}

interface MouthRig {
  lips: number[];
  /** Outer contours (indices into `lips`) and inner ones (mesh points, corner to corner), for the lips' thickness. */
  outerUpper: number[];
  outerLower: number[];
  innerUpper: number[];
  innerLower: number[];
  cx: number;
  half: number;
  /** Skin near the lips that follows them (weights per lip within reach, and their sum), and skin of each cheek with its share of the raise. */
  skin: { point: number; lips: number[]; weights: number[]; sum: number }[];
  /** The lips' moves of the frame being posed (scratch). */
  dx: Float64Array;
  dy: Float64Array;
  cheeks: { point: number; share: number }[];
}

const rigByMesh = new WeakMap<ControlMesh, MouthRig>();

/**
 * Moves the lips (every lip point by its place across the mouth, so the inner contour and the seam move
 * together and the mouth's opening is untouched), raises the cheeks, then lets nearby skin follow the lips.
 * Runs after the speech mouth, so the spoken shapes show on top of the emotion.
 */
export function poseExpressionMouth(mesh: ControlMesh, pose: ExpressionPose, outX: Float64Array, outY: Float64Array): void {
  const rig = rigByMesh.get(mesh) ?? mouthRig(mesh);
  rigByMesh.set(mesh, rig);
  const h = mesh.face.height;
  const { restX } = mesh;
  const { dx, dy } = rig;
  dx.fill(0);
  dy.fill(0);
  rig.lips.forEach((p, k) => {
    const across = Math.max(-1, Math.min(1, (restX[p] - rig.cx) / rig.half));
    const corner = across * across;
    const side = Math.sign(across);
    if (pose.smile > 0) {
      dy[k] -= pose.smile * SMILE_UP * h * corner;
      dx[k] += pose.smile * SMILE_OUT * mesh.mouthWidth * side * corner;
    } else {
      dy[k] -= pose.smile * FROWN_DOWN * h * corner;
    }
    dx[k] -= pose.pucker * PUCKER * (restX[p] - rig.cx) + pose.press * 0.03 * (restX[p] - rig.cx);
  });
  if (pose.press > 0) {
    // The outer contours close in on the inner ones as they are now (the speech mouth may have moved both):
    // thinner lips, the mouth line unchanged, and an outer contour never crosses its inner one.
    for (const [outers, inner] of [
      [rig.outerUpper, rig.innerUpper],
      [rig.outerLower, rig.innerLower],
    ]) {
      for (const k of outers) {
        const p = rig.lips[k];
        const innerY = contourY(inner, outX, outY, outX[p]);
        if (innerY !== null) dy[k] += pose.press * PRESS * (innerY - outY[p]);
      }
    }
  }
  for (let k = 0; k < rig.lips.length; k++) {
    outX[rig.lips[k]] += dx[k];
    outY[rig.lips[k]] += dy[k];
  }
  if (pose.cheek > 0) for (const { point, share } of rig.cheeks) outY[point] -= pose.cheek * CHEEK_UP * h * share;
  followLips(rig, dx, dy, outX, outY);
}

/**
 * Skin near the lips follows the expression's lip moves with a smooth falloff, as poseMouth's drag does for the
 * speech mouth's (each drags by its own moves only, so neither is applied twice).
 */
function followLips(rig: MouthRig, dx: Float64Array, dy: Float64Array, outX: Float64Array, outY: Float64Array): void {
  for (const { point, lips, weights, sum } of rig.skin) {
    let sx = 0;
    let sy = 0;
    for (let j = 0; j < lips.length; j++) {
      sx += weights[j] * dx[lips[j]];
      sy += weights[j] * dy[lips[j]];
    }
    const norm = Math.max(1, sum);
    outX[point] += (sx / norm) * Math.min(1, sum);
    outY[point] += (sy / norm) * Math.min(1, sum);
  }
}

function mouthRig(mesh: ControlMesh): MouthRig {
  const at = (i: number) => mesh.pointOf[i];
  const lips = [
    ...[MOUTH.leftCorner, MOUTH.rightCorner, MOUTH.innerCornerLeft, MOUTH.innerCornerRight],
    ...MOUTH.innerUpper,
    ...MOUTH.outerUpper,
    ...MOUTH.outerLower,
    ...MOUTH.innerLower,
  ]
    .map(at)
    .concat(mesh.mouthSeam)
    .filter((p) => p >= 0);
  const lipSet = new Set(lips);
  const cx = (mesh.restX[at(MOUTH.leftCorner)] + mesh.restX[at(MOUTH.rightCorner)]) / 2;
  const cy = (mesh.restY[at(MOUTH.leftCorner)] + mesh.restY[at(MOUTH.rightCorner)]) / 2;
  const half = Math.max(1, mesh.mouthWidth / 2);
  const skin: MouthRig['skin'] = [];
  const radius = mesh.mouthWidth * 0.6;
  const cheeks: MouthRig['cheeks'] = [];
  // Each cheek's apple: below the eye's outer half, halfway down to the mouth corner.
  const apples = mesh.eyes.map((eye) => {
    const ex = (mesh.restX[eye.outerCorner] * 2 + mesh.restX[eye.innerCorner]) / 3;
    const ey = (mesh.restY[eye.outerCorner] + mesh.restY[eye.innerCorner]) / 2;
    return { x: ex, y: ey + (cy - ey) * 0.45 };
  });
  const reach = mesh.face.height * 0.28;
  for (let p = 0; p < mesh.count; p++) {
    if (lipSet.has(p) || mesh.eyePoints.has(p) || mesh.headWeight[p] !== 1 || mesh.breathWeight[p] !== 1) continue;
    const near: MouthRig['skin'][number] = { point: p, lips: [], weights: [], sum: 0 };
    lips.forEach((q, k) => {
      const d = Math.hypot(mesh.restX[p] - mesh.restX[q], mesh.restY[p] - mesh.restY[q]);
      if (d >= radius) return;
      near.lips.push(k);
      near.weights.push((1 - d / radius) ** 2);
      near.sum += (1 - d / radius) ** 2;
    });
    if (near.sum > 0) skin.push(near);
    const apple = Math.min(...apples.map((a) => Math.hypot(mesh.restX[p] - a.x, mesh.restY[p] - a.y)));
    if (apple < reach) cheeks.push({ point: p, share: (1 - apple / reach) ** 2 });
  }
  const indices = (landmarks: number[]) => landmarks.map((i) => lips.indexOf(at(i))).filter((k) => k >= 0);
  const inner = (landmarks: number[]) => [MOUTH.innerCornerLeft, ...landmarks, MOUTH.innerCornerRight].map(at).filter((p) => p >= 0);
  return {
    lips,
    outerUpper: indices(MOUTH.outerUpper),
    outerLower: indices(MOUTH.outerLower),
    innerUpper: inner(MOUTH.innerUpper),
    innerLower: inner(MOUTH.innerLower),
    cx,
    half,
    skin,
    cheeks,
    dx: new Float64Array(lips.length),
    dy: new Float64Array(lips.length),
  };
}

/** Height of a contour (mesh points in order across the mouth) at column x, as posed; null outside it. */
function contourY(contour: number[], xs: Float64Array, ys: Float64Array, x: number): number | null {
  for (let k = 0; k + 1 < contour.length; k++) {
    const x0 = xs[contour[k]];
    const x1 = xs[contour[k + 1]];
    if ((x >= x0 && x <= x1) || (x >= x1 && x <= x0)) {
      const f = x1 === x0 ? 0 : (x - x0) / (x1 - x0);
      return ys[contour[k]] + f * (ys[contour[k + 1]] - ys[contour[k]]);
    }
  }
  return null;
}

function weight(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
