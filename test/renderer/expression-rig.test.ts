import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAstronaut, type PreparedPortrait } from './astronaut-portrait.ts';
import type { ExpressionWeights } from '../../contract/expressions.ts';
import type { RenderConfig } from '../../contract/render-config.ts';
import { buildControlMesh, type ControlMesh } from '../../renderer/engine/control-mesh.ts';
import { computeCoverFit } from '../../renderer/engine/cover-fit.ts';
import { expressionIdlePose, expressionMouth, expressionPose } from '../../renderer/engine/expression-rig.ts';
import { poseMesh, type MouthInput } from '../../renderer/engine/face-rig.ts';
import type { FaceState } from '../../renderer/engine/face-state.ts';
import { IdleMotion, STILL_POSE } from '../../renderer/engine/idle-motion.ts';
import { LEFT_EYE, MOUTH, RIGHT_EYE } from '../../renderer/engine/landmark-indices.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../../renderer/engine/portrait-animator.ts';

let portrait: PreparedPortrait;
let mesh: ControlMesh;
let still: PortraitAnimator;
const config: RenderConfig = { resolution: '512x512', frameRate: 30, idleMotion: false };

beforeAll(async () => {
  portrait = await prepareAstronaut();
  mesh = buildControlMesh(portrait.face, computeCoverFit(512, 512, 512, 512, [256, 256]), 512, 512);
  still = createPortraitAnimator({ image: portrait.image, face: portrait.face, config, seed: 3 });
});
afterAll(() => portrait?.cleanup());

/** The mesh posed as the animator poses it for this face state (no idle motion unless given). */
function posed(face: FaceState, mouth?: MouthInput, idle = STILL_POSE): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(mesh.count);
  const y = new Float64Array(mesh.count);
  poseMesh(mesh, expressionIdlePose(idle, face), expressionMouth(mouth, face.expression), x, y, expressionPose(face));
  return { x, y };
}

const at = (landmark: number) => mesh.pointOf[landmark];
const meanY = (p: { y: Float64Array }, landmarks: number[]) => landmarks.reduce((s, i) => s + p.y[at(i)], 0) / landmarks.length;
const rise = (face: FaceState, landmarks: number[]) => meanY(posed({}), landmarks) - meanY(posed(face), landmarks);
const corners = [MOUTH.leftCorner, MOUTH.rightCorner];
const brows = [...RIGHT_EYE.brow, ...LEFT_EYE.brow];
const innerBrows = [107, 55, 336, 285];
const outerBrows = [70, 46, 300, 276];
const emotion = (weights: ExpressionWeights): FaceState => ({ expression: weights });

/** Where a small patch of `from` around (x, y) is found again in `to`, searching vertical shifts only. */
function verticalShift(from: Uint8Array, to: Uint8Array, x: number, y: number, half = 5, reach = 7): number {
  let best = { dy: 0, cost: Number.POSITIVE_INFINITY };
  for (let dy = -reach; dy <= reach; dy++) {
    let cost = 0;
    for (let v = -half; v <= half; v++) {
      for (let u = -half; u <= half; u++) {
        const a = ((Math.round(y) + v) * 512 + Math.round(x) + u) * 4;
        const b = ((Math.round(y) + v + dy) * 512 + Math.round(x) + u) * 4;
        for (let c = 0; c < 3; c++) cost += Math.abs(from[a + c] - to[b + c]);
      }
    }
    if (cost < best.cost) best = { dy, cost };
  }
  return best.dy;
}

describe('emotions on the portrait rig (astronaut)', () => {
  it('moves the expected points the expected way for each emotion', () => {
    // Happy: mouth corners and cheeks up, lower lids pushed up.
    expect(rise(emotion({ happy: 1 }), corners)).toBeGreaterThan(2);
    expect(rise(emotion({ happy: 1 }), [...RIGHT_EYE.lowerLid, ...LEFT_EYE.lowerLid])).toBeGreaterThan(0.3);
    // Sad: corners down, the inner ends of the brows up more than the outer ones.
    expect(rise(emotion({ sad: 1 }), corners)).toBeLessThan(-2);
    expect(rise(emotion({ sad: 1 }), innerBrows)).toBeGreaterThan(rise(emotion({ sad: 1 }), outerBrows) + 2);
    // Surprised: brows up, upper lids up (wider eyes), the jaw a little open.
    expect(rise(emotion({ surprised: 1 }), brows)).toBeGreaterThan(3);
    expect(rise(emotion({ surprised: 1 }), [...RIGHT_EYE.upperLid, ...LEFT_EYE.upperLid])).toBeGreaterThan(0.5);
    expect(rise(emotion({ surprised: 1 }), [14, 17])).toBeLessThan(-1);
    // Angry: brows down and together, lips thinner.
    const angry = posed(emotion({ angry: 1 }));
    const neutral = posed({});
    expect(rise(emotion({ angry: 1 }), brows)).toBeLessThan(-1);
    const browGap = (p: typeof neutral) => p.x[at(336)] - p.x[at(107)];
    expect(browGap(angry)).toBeLessThan(browGap(neutral) - 3);
    const lips = (p: typeof neutral) => p.y[at(17)] - p.y[at(0)];
    expect(lips(angry)).toBeLessThan(lips(neutral) - 1);
    // Thinking: one brow up more than the other, the irises up and aside, the mouth narrower.
    const thinking = posed(emotion({ thinking: 1 }));
    const lift = (p: typeof neutral, eye: typeof RIGHT_EYE) => meanY(neutral, eye.brow) - meanY(p, eye.brow);
    expect(lift(thinking, LEFT_EYE) - lift(thinking, RIGHT_EYE)).toBeGreaterThan(3);
    const iris = mesh.eyes.flatMap((eye) => eye.irisPoints);
    const irisMove = (axis: 'x' | 'y') => iris.reduce((s, p) => s + thinking[axis][p] - neutral[axis][p], 0) / iris.length;
    expect(irisMove('y')).toBeLessThan(-0.3);
    expect(irisMove('x')).toBeGreaterThan(0.3);
    const width = (p: typeof neutral) => p.x[at(MOUTH.rightCorner)] - p.x[at(MOUTH.leftCorner)];
    expect(width(thinking)).toBeLessThan(width(neutral) - 3);
  });

  it('blends emotions linearly: half of two emotions is the mean of each in full', () => {
    const half = posed(emotion({ sad: 0.5, angry: 0.5 }));
    const sad = posed(emotion({ sad: 1 }));
    const angry = posed(emotion({ angry: 1 }));
    const irises = new Set(mesh.eyes.flatMap((eye) => eye.irisPoints));
    for (let p = 0; p < mesh.count; p++) {
      if (irises.has(p)) continue; // placed between the lids by the gaze: not a sum of moves
      expect(half.x[p]).toBeCloseTo((sad.x[p] + angry.x[p]) / 2, 6);
      expect(half.y[p]).toBeCloseTo((sad.y[p] + angry.y[p]) / 2, 6);
    }
    // A weaker emotion moves the same points less.
    expect(rise(emotion({ happy: 0.5 }), corners)).toBeCloseTo(rise(emotion({ happy: 1 }), corners) / 2, 6);
  });

  it('never folds a triangle, whatever the emotion, speech and idle motion', () => {
    const areas = (x: Float64Array, y: Float64Array) => {
      const out: number[] = [];
      for (let t = 0; t < mesh.triangles.length; t += 3) {
        const [a, b, c] = [mesh.triangles[t], mesh.triangles[t + 1], mesh.triangles[t + 2]];
        out.push((x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]));
      }
      return out;
    };
    const rest = areas(mesh.restX, mesh.restY);
    const motion = new IdleMotion(4);
    const faces: FaceState[] = [
      emotion({ happy: 1 }),
      emotion({ sad: 1 }),
      emotion({ surprised: 1 }),
      emotion({ angry: 1 }),
      emotion({ thinking: 1 }),
      emotion({ happy: 1, surprised: 1 }),
      emotion({ sad: 1, angry: 1, thinking: 1 }),
      { expression: { surprised: 1 }, talk: { nod: 0.03, tilt: 0.03, brows: 1, blink: 0 } },
      { expression: { angry: 1 }, talk: { nod: -0.02, tilt: -0.03, brows: 1, blink: 0 } },
    ];
    for (const face of faces) {
      for (const mouth of [undefined, { open: 1 }, { open: 0.3, visemes: { ou: 1 } }, { open: 0.1, visemes: { ih: 1 } }]) {
        for (const t of [0.5, 3.1, 7.7]) {
          const p = posed(face, mouth, motion.pose(t));
          areas(p.x, p.y).forEach((area, k) => expect(area, `triangle ${k}`).toBeGreaterThanOrEqual(rest[k] > 1 ? 0 : -1e-6));
        }
      }
    }
  });

  it('shows in the drawn pixels: a smile lifts the mouth corners, sadness lowers them, surprise lifts the brows', () => {
    const neutral = still.frame(1);
    const corner = [portrait.face.landmarks[MOUTH.leftCorner], portrait.face.landmarks[MOUTH.rightCorner]];
    const brow = [portrait.face.landmarks[105], portrait.face.landmarks[334]];
    for (const [x, y] of corner) {
      expect(verticalShift(neutral, still.frame(1, undefined, emotion({ happy: 1 })), x, y)).toBeLessThan(-1);
      expect(verticalShift(neutral, still.frame(1, undefined, emotion({ sad: 1 })), x, y)).toBeGreaterThan(1);
    }
    for (const [x, y] of brow) {
      expect(verticalShift(neutral, still.frame(1, undefined, emotion({ surprised: 1 })), x, y, 4)).toBeLessThan(-2);
      expect(verticalShift(neutral, still.frame(1, undefined, emotion({ angry: 1 })), x, y, 4)).toBeGreaterThan(0);
    }
  });

  it('adds speech motion to the idle pose: nod and tilt on top, its blinks instead of the idle ones, the gaze drawn in', () => {
    const idle = { ...STILL_POSE, blink: 1, gazeX: 0.8, gazeY: -0.4, headRoll: 0.01, headY: 0.002 };
    const talk = { nod: 0.02, tilt: -0.03, brows: 0, blink: 0, attend: 1, ownsBlinks: true };
    const pose = expressionIdlePose(idle, { talk });
    expect(pose.blink).toBe(0); // an idle blink mid-utterance would double the speech motion's own
    expect(pose.headY).toBeCloseTo(0.022, 10);
    expect(pose.headRoll).toBeCloseTo(-0.02, 10);
    expect(Math.abs(pose.gazeX)).toBeLessThan(0.3);
    expect(expressionIdlePose(idle, { talk: { ...talk, blink: 0.6 } }).blink).toBe(0.6);
    // Without ownership the two combine by max.
    expect(expressionIdlePose(idle, { talk: { ...talk, blink: 0.6, ownsBlinks: false } }).blink).toBe(1);
  });

  it('leaves frames byte-identical to idle ones when the face state moves nothing', () => {
    const idle = createPortraitAnimator({ image: portrait.image, face: portrait.face, config: { ...config, idleMotion: true }, seed: 3 });
    for (const t of [0.2, 1.4, 3.3]) {
      const frame = Buffer.from(idle.frame(t));
      for (const face of [{}, emotion({}), emotion({ happy: 0, sad: 0 })]) {
        expect(Buffer.from(idle.frame(t, undefined, face)).equals(frame)).toBe(true);
      }
      expect(Buffer.from(idle.frame(t, undefined, emotion({ happy: 0.2 }))).equals(frame)).toBe(false);
    }
  });
});
