import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAstronaut, type PreparedPortrait } from './astronaut-portrait.ts';
import { buildControlMesh, type ControlMesh } from '../../renderer/engine/control-mesh.ts';
import { computeCoverFit } from '../../renderer/engine/cover-fit.ts';
import { poseMesh } from '../../renderer/engine/face-rig.ts';
import { IdleMotion, STILL_POSE } from '../../renderer/engine/idle-motion.ts';

let portrait: PreparedPortrait;
let mesh: ControlMesh;

beforeAll(async () => {
  portrait = await prepareAstronaut();
  const fit = computeCoverFit(512, 512, 512, 512, [256, 256]);
  mesh = buildControlMesh(portrait.face, fit, 512, 512);
});
afterAll(() => portrait?.cleanup());

function signedAreas(xs: Float64Array, ys: Float64Array): number[] {
  const areas: number[] = [];
  for (let t = 0; t < mesh.triangles.length; t += 3) {
    const [a, b, c] = [mesh.triangles[t], mesh.triangles[t + 1], mesh.triangles[t + 2]];
    areas.push((xs[b] - xs[a]) * (ys[c] - ys[a]) - (ys[b] - ys[a]) * (xs[c] - xs[a]));
  }
  return areas;
}

describe('the control mesh and its rig', () => {
  it('covers the frame: the triangles add up to its area and the border is in the mesh', () => {
    const total = signedAreas(mesh.restX, mesh.restY).reduce((sum, a) => sum + a / 2, 0);
    expect(total).toBeCloseTo(512 * 512, 3);
    expect(mesh.eyes.every((eye) => eye.irisPoints.length >= 1)).toBe(true);
  });

  it('never folds a triangle over through idle motion and an open mouth', () => {
    const xs = new Float64Array(mesh.count);
    const ys = new Float64Array(mesh.count);
    const rest = signedAreas(mesh.restX, mesh.restY);
    const motion = new IdleMotion(9);
    for (let t = 0; t < 30; t += 0.37) {
      for (const mouth of [
        undefined,
        { open: 1 },
        { open: 0.4, visemes: { ou: 1 } },
        { open: 0.2, visemes: { ee: 1, aa: 1 } },
        { open: 0, visemes: { ee: 1, ih: 1 } },
        { open: 1, visemes: { ou: 1, oh: 1, aa: 1 } },
      ]) {
        poseMesh(mesh, motion.pose(t), mouth, xs, ys);
        const posed = signedAreas(xs, ys);
        // Collapsed slivers (the closed-mouth seam) may go to zero area, never negative.
        posed.forEach((area, k) => expect(area, `triangle ${k} at t=${t}`).toBeGreaterThanOrEqual(rest[k] > 1 ? 0 : -1e-6));
      }
    }
  });

  it('leaves the outer ring and the border exactly where they were', () => {
    const xs = new Float64Array(mesh.count);
    const ys = new Float64Array(mesh.count);
    poseMesh(mesh, { ...STILL_POSE, headRoll: 0.05, headX: 0.02, headY: 0.02, breath: 0.02 }, { open: 1 }, xs, ys);
    let fixed = 0;
    for (let p = 0; p < mesh.count; p++) {
      if (mesh.headWeight[p] !== 0 || mesh.breathWeight[p] !== 0) continue;
      fixed++;
      expect([xs[p], ys[p]]).toEqual([mesh.restX[p], mesh.restY[p]]);
    }
    expect(fixed).toBeGreaterThan(20);
  });
});
