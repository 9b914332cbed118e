import type { FrameWarper, WarpJob } from './frame-warper.ts';

/** Barycentric slack so pixel centres on a shared edge are drawn by both triangles (they agree there). */
const EDGE_SLACK = 1e-7;

/**
 * The CPU warper: copies the base frame, then re-samples (bilinear) only the triangles that moved.
 * For each moved triangle and each row, the span of pixel centres inside it is solved from the three
 * barycentric coordinates, which are linear in x, so the inner loop only steps and samples.
 */
export class CpuFrameWarper implements FrameWarper {
  readonly kind = 'cpu' as const;

  warp(job: WarpJob): void {
    const { base, target, width, height, triangles, restX, restY, posedX, posedY } = job;
    target.set(base);
    for (let t = 0; t < triangles.length; t += 3) {
      const a = triangles[t];
      const b = triangles[t + 1];
      const c = triangles[t + 2];
      if (
        posedX[a] === restX[a] &&
        posedY[a] === restY[a] &&
        posedX[b] === restX[b] &&
        posedY[b] === restY[b] &&
        posedX[c] === restX[c] &&
        posedY[c] === restY[c]
      ) {
        continue;
      }
      drawTriangle(
        base,
        target,
        width,
        height,
        posedX[a],
        posedY[a],
        posedX[b],
        posedY[b],
        posedX[c],
        posedY[c],
        restX[a],
        restY[a],
        restX[b],
        restY[b],
        restX[c],
        restY[c],
      );
    }
  }
}

function drawTriangle(
  src: Uint8Array,
  dst: Uint8Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  u0: number,
  v0: number,
  u1: number,
  v1: number,
  u2: number,
  v2: number,
): void {
  const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (Math.abs(det) < 1e-9) return;
  const inv = 1 / det;
  // l1 = a1*px + b1*py + c1, l2 likewise, l0 = 1 - l1 - l2 (px, py are pixel centres).
  const a1 = (y2 - y0) * inv;
  const b1 = -(x2 - x0) * inv;
  const c1 = -(x0 * a1 + y0 * b1);
  const a2 = -(y1 - y0) * inv;
  const b2 = (x1 - x0) * inv;
  const c2 = -(x0 * a2 + y0 * b2);
  const du1 = u1 - u0;
  const du2 = u2 - u0;
  const dv1 = v1 - v0;
  const dv2 = v2 - v0;
  // Source position (in pixel-index space, hence the -0.5) as an affine function of the pixel index.
  const ux = a1 * du1 + a2 * du2;
  const vx = a1 * dv1 + a2 * dv2;

  const yStart = Math.max(0, Math.floor(Math.min(y0, y1, y2) - 0.5));
  const yEnd = Math.min(height - 1, Math.ceil(Math.max(y0, y1, y2) - 0.5));
  const xMinAll = Math.max(0, Math.floor(Math.min(x0, x1, x2) - 0.5));
  const xMaxAll = Math.min(width - 1, Math.ceil(Math.max(x0, x1, x2) - 0.5));
  const maxU = width - 1;
  const maxV = height - 1;
  for (let y = yStart; y <= yEnd; y++) {
    const py = y + 0.5;
    // Each barycentric li(px) = ai*px + ki on this row; keep px where all three are >= -slack.
    const k1 = b1 * py + c1;
    const k2 = b2 * py + c2;
    let lo = -Infinity;
    let hi = Infinity;
    // slope*px + intercept >= -slack for each of the three coordinates.
    const a0 = -a1 - a2;
    const k0 = 1 - k1 - k2;
    if (a1 > 0) lo = Math.max(lo, (-EDGE_SLACK - k1) / a1);
    else if (a1 < 0) hi = Math.min(hi, (-EDGE_SLACK - k1) / a1);
    else if (k1 < -EDGE_SLACK) continue;
    if (a2 > 0) lo = Math.max(lo, (-EDGE_SLACK - k2) / a2);
    else if (a2 < 0) hi = Math.min(hi, (-EDGE_SLACK - k2) / a2);
    else if (k2 < -EDGE_SLACK) continue;
    if (a0 > 0) lo = Math.max(lo, (-EDGE_SLACK - k0) / a0);
    else if (a0 < 0) hi = Math.min(hi, (-EDGE_SLACK - k0) / a0);
    else if (k0 < -EDGE_SLACK) continue;
    if (lo > hi) continue;
    const xFrom = Math.max(xMinAll, Math.ceil(lo - 0.5));
    const xTo = Math.min(xMaxAll, Math.floor(hi - 0.5));
    if (xFrom > xTo) continue;
    const px = xFrom + 0.5;
    const l1 = a1 * px + k1;
    const l2 = a2 * px + k2;
    let u = u0 + l1 * du1 + l2 * du2 - 0.5;
    let v = v0 + l1 * dv1 + l2 * dv2 - 0.5;
    let o = (y * width + xFrom) * 4;
    for (let x = xFrom; x <= xTo; x++) {
      const su = u < 0 ? 0 : u > maxU ? maxU : u;
      const sv = v < 0 ? 0 : v > maxV ? maxV : v;
      const ix = su | 0;
      const iy = sv | 0;
      const fx = su - ix;
      const fy = sv - iy;
      const p00 = (iy * width + ix) * 4;
      const p01 = ix < maxU ? p00 + 4 : p00;
      const p10 = iy < maxV ? p00 + width * 4 : p00;
      const p11 = ix < maxU ? p10 + 4 : p10;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      dst[o] = src[p00] * w00 + src[p01] * w01 + src[p10] * w10 + src[p11] * w11 + 0.5;
      dst[o + 1] = src[p00 + 1] * w00 + src[p01 + 1] * w01 + src[p10 + 1] * w10 + src[p11 + 1] * w11 + 0.5;
      dst[o + 2] = src[p00 + 2] * w00 + src[p01 + 2] * w01 + src[p10 + 2] * w10 + src[p11 + 2] * w11 + 0.5;
      o += 4;
      u += ux;
      v += vx;
    }
  }
}
