import { lidY, type EyeRig } from './control-mesh.ts';

/** Where closing lids meet, from the upper lid (0) to the lower lid (1): mostly the upper lid travels. */
const LID_MEETING = 0.85;
/** How far below the lower-lid landmarks (in eye openings) the visible lid edge is taken to be. */
const LOWER_LID_MARGIN = 0.25;

/**
 * Closes one eye by `closure` (0..1) in the drawn frame, column by column between the eye corners.
 * Each column from the crease line down to the row under the eye is remapped piecewise-linearly: the lid skin
 * [crease, upper lid] stretches down to the meeting line, the eye opening [upper lid, lower lid] shrinks to
 * nothing at full closure, and the skin under the lower lid stretches up. Done per column (not in the mesh)
 * so the lid lines are followed exactly and no iris pixel survives a closed lid.
 * Coordinates are the posed positions of the eye's mesh points.
 */
export function closeEyelid(
  target: Uint8Array,
  width: number,
  height: number,
  eye: EyeRig,
  xs: Float64Array,
  ys: Float64Array,
  closure: number,
  scratch: Float32Array,
): void {
  if (closure <= 0) return;
  const xFrom = Math.max(0, Math.ceil(Math.min(xs[eye.outerCorner], xs[eye.innerCorner]) - 0.5));
  const xTo = Math.min(width - 1, Math.floor(Math.max(xs[eye.outerCorner], xs[eye.innerCorner]) - 0.5));
  for (let x = xFrom; x <= xTo; x++) {
    const px = x + 0.5;
    const upper = lidY(eye, eye.upper, xs, ys, px);
    const lowerLandmark = lidY(eye, eye.lower, xs, ys, px);
    let top = lidY(eye, eye.crease, xs, ys, px);
    let bottom = lidY(eye, eye.under, xs, ys, px);
    if (upper === null || lowerLandmark === null || top === null || bottom === null || lowerLandmark <= upper) continue;
    // FaceMesh puts the lower lid a pixel or so inside the eye: close onto the skin just below it.
    const lower = lowerLandmark + (lowerLandmark - upper) * LOWER_LID_MARGIN;
    top = Math.min(top, upper - 0.5);
    bottom = Math.max(bottom, lower + 0.5);
    const meet = upper + (lower - upper) * LID_MEETING;
    const upperNow = upper + (meet - upper) * closure;
    const lowerNow = lower + (meet - lower) * closure;

    // Snapshot the column so reads are never of pixels this pass already wrote.
    const rowFrom = Math.max(0, Math.floor(top - 0.5));
    const rowTo = Math.min(height - 1, Math.ceil(bottom - 0.5) + 1);
    const rows = rowTo - rowFrom + 1;
    if (rows * 3 > scratch.length) continue;
    for (let r = 0; r < rows; r++) {
      const o = ((rowFrom + r) * width + x) * 4;
      scratch[r * 3] = target[o];
      scratch[r * 3 + 1] = target[o + 1];
      scratch[r * 3 + 2] = target[o + 2];
    }
    const yFrom = Math.max(0, Math.ceil(top - 0.5));
    const yTo = Math.min(height - 1, Math.floor(bottom - 0.5));
    for (let y = yFrom; y <= yTo; y++) {
      const py = y + 0.5;
      let source: number;
      if (py < upperNow) source = top + ((py - top) * (upper - top)) / (upperNow - top);
      else if (py < lowerNow) source = upper + ((py - upperNow) * (lower - upper)) / (lowerNow - upperNow);
      else source = lower + ((py - lowerNow) * (bottom - lower)) / (bottom - lowerNow);
      const s = Math.min(rows - 1, Math.max(0, source - 0.5 - rowFrom));
      const r0 = Math.floor(s);
      const r1 = Math.min(rows - 1, r0 + 1);
      const f = s - r0;
      const o = (y * width + x) * 4;
      target[o] = scratch[r0 * 3] * (1 - f) + scratch[r1 * 3] * f + 0.5;
      target[o + 1] = scratch[r0 * 3 + 1] * (1 - f) + scratch[r1 * 3 + 1] * f + 0.5;
      target[o + 2] = scratch[r0 * 3 + 2] * (1 - f) + scratch[r1 * 3 + 2] * f + 0.5;
    }
  }
}
