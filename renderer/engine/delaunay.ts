/**
 * Bowyer-Watson Delaunay triangulation. The control mesh has a few hundred points and is built once per avatar,
 * so the quadratic simple form is plenty. Returns vertex index triples, counter-clockwise in image coordinates.
 */
export function triangulate(xs: Float64Array, ys: Float64Array): Uint32Array {
  const n = xs.length;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xs[i]);
    minY = Math.min(minY, ys[i]);
    maxX = Math.max(maxX, xs[i]);
    maxY = Math.max(maxY, ys[i]);
  }
  const span = Math.max(maxX - minX, maxY - minY) * 20 + 1;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const px = Array.from(xs);
  const py = Array.from(ys);
  px.push(cx - span, cx, cx + span);
  py.push(cy - span, cy + span, cy - span);

  type Triangle = { a: number; b: number; c: number; ccx: number; ccy: number; r2: number };
  const make = (a: number, b: number, c: number): Triangle => {
    const ax = px[a],
      ay = py[a],
      bx = px[b],
      by = py[b],
      qx = px[c],
      qy = py[c];
    const d = 2 * (ax * (by - qy) + bx * (qy - ay) + qx * (ay - by));
    const a2 = ax * ax + ay * ay;
    const b2 = bx * bx + by * by;
    const c2 = qx * qx + qy * qy;
    const ccx = (a2 * (by - qy) + b2 * (qy - ay) + c2 * (ay - by)) / d;
    const ccy = (a2 * (qx - bx) + b2 * (ax - qx) + c2 * (bx - ax)) / d;
    return { a, b, c, ccx, ccy, r2: (ax - ccx) ** 2 + (ay - ccy) ** 2 };
  };
  let triangles: Triangle[] = [make(n, n + 1, n + 2)];
  for (let i = 0; i < n; i++) {
    const x = px[i];
    const y = py[i];
    const bad: Triangle[] = [];
    const kept: Triangle[] = [];
    for (const t of triangles) {
      if ((x - t.ccx) ** 2 + (y - t.ccy) ** 2 < t.r2 * (1 + 1e-12)) bad.push(t);
      else kept.push(t);
    }
    // The hole's boundary: edges that belong to exactly one bad triangle.
    const edges = new Map<string, [number, number]>();
    for (const t of bad) {
      for (const [u, v] of [
        [t.a, t.b],
        [t.b, t.c],
        [t.c, t.a],
      ] as const) {
        const key = u < v ? `${u},${v}` : `${v},${u}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [u, v]);
      }
    }
    for (const [u, v] of edges.values()) kept.push(make(u, v, i));
    triangles = kept;
  }
  const out: number[] = [];
  for (const t of triangles) {
    if (t.a >= n || t.b >= n || t.c >= n) continue;
    const cross = (px[t.b] - px[t.a]) * (py[t.c] - py[t.a]) - (py[t.b] - py[t.a]) * (px[t.c] - px[t.a]);
    if (Math.abs(cross) < 1e-9) continue;
    if (cross > 0) out.push(t.a, t.b, t.c);
    else out.push(t.a, t.c, t.b);
  }
  return Uint32Array.from(out);
}
