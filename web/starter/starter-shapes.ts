/**
 * Plain triangle meshes for the starter avatar: spheres, capsules, boxes and the mouth. Each shape is positions,
 * normals and indices in its bone's frame (bones carry no rotation in a VRM 1.0 rest pose, so a bone's frame is the
 * world's axes moved to the bone), plus named morph targets as position deltas.
 */
export type Vec3 = [number, number, number];

export interface Shape {
  positions: number[];
  normals: number[];
  indices: number[];
  /** Morph target name -> position deltas, one triple per vertex. */
  targets: Map<string, number[]>;
}

export type Deform = (p: Vec3) => Vec3;

/** Adds morph targets computed from each base vertex; the delta is the deformed point minus the point. */
export function withTargets(shape: Shape, targets: Record<string, Deform>): Shape {
  for (const [name, deform] of Object.entries(targets)) {
    const deltas: number[] = [];
    for (let i = 0; i < shape.positions.length; i += 3) {
      const p: Vec3 = [shape.positions[i], shape.positions[i + 1], shape.positions[i + 2]];
      const q = deform(p);
      deltas.push(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
    }
    shape.targets.set(name, deltas.map(round));
  }
  return shape;
}

/**
 * An ellipsoid of radii r centred at c, with `seg` segments around and seg/2 rings; `cap` < 1 keeps only the part
 * from the top pole down to that fraction of the way to the bottom pole (a dome).
 */
export function ellipsoid(c: Vec3, r: Vec3, seg = 24, cap = 1): Shape {
  const rings = Math.max(4, Math.floor((seg / 2) * cap));
  const shape: Shape = { positions: [], normals: [], indices: [], targets: new Map() };
  for (let i = 0; i <= rings; i++) {
    const v = (i / rings) * Math.PI * cap;
    for (let j = 0; j <= seg; j++) {
      const u = (j / seg) * Math.PI * 2;
      const n: Vec3 = [Math.sin(v) * Math.sin(u), Math.cos(v), Math.sin(v) * Math.cos(u)];
      shape.positions.push(c[0] + n[0] * r[0], c[1] + n[1] * r[1], c[2] + n[2] * r[2]);
      pushNormal(shape, [n[0] / r[0], n[1] / r[1], n[2] / r[2]]);
    }
  }
  gridIndices(shape, rings, seg);
  return finish(shape);
}

/** A capsule of radius r from a to b (hemispheres on both ends). */
export function capsule(a: Vec3, b: Vec3, r: number, seg = 16): Shape {
  const axis = sub(b, a);
  const len = Math.hypot(...axis);
  const y = scale(axis, 1 / len);
  // Any vector not parallel to the axis gives the other two directions.
  const helper: Vec3 = Math.abs(y[1]) < 0.9 ? [0, 1, 0] : [0, 0, 1];
  const x = normalize(cross(helper, y));
  const z = cross(y, x);
  const half = Math.floor(seg / 4);
  const shape: Shape = { positions: [], normals: [], indices: [], targets: new Map() };
  // Rings from the a-end pole to the b-end pole: a hemisphere at each end, a straight side between.
  const rings: Array<{ centre: Vec3; lat: number }> = [];
  for (let i = 0; i <= half; i++) rings.push({ centre: a, lat: -Math.PI / 2 + (i / half) * (Math.PI / 2) });
  for (let i = 0; i <= half; i++) rings.push({ centre: b, lat: (i / half) * (Math.PI / 2) });
  for (const ring of rings) {
    for (let j = 0; j <= seg; j++) {
      const u = (j / seg) * Math.PI * 2;
      const n = add(
        add(scale(x, Math.cos(ring.lat) * Math.cos(u)), scale(z, Math.cos(ring.lat) * Math.sin(u))),
        scale(y, Math.sin(ring.lat)),
      );
      const p = add(ring.centre, scale(n, r));
      shape.positions.push(...p);
      pushNormal(shape, n);
    }
  }
  gridIndices(shape, rings.length - 1, seg, true);
  return finish(shape);
}

/** An axis-aligned box centred at c with half sizes h (24 vertices so each face has its own normal). */
export function box(c: Vec3, h: Vec3): Shape {
  const shape: Shape = { positions: [], normals: [], indices: [], targets: new Map() };
  const faces: Array<{ n: Vec3; u: Vec3; v: Vec3 }> = [
    { n: [1, 0, 0], u: [0, 1, 0], v: [0, 0, 1] },
    { n: [-1, 0, 0], u: [0, 0, 1], v: [0, 1, 0] },
    { n: [0, 1, 0], u: [0, 0, 1], v: [1, 0, 0] },
    { n: [0, -1, 0], u: [1, 0, 0], v: [0, 0, 1] },
    { n: [0, 0, 1], u: [1, 0, 0], v: [0, 1, 0] },
    { n: [0, 0, -1], u: [0, 1, 0], v: [1, 0, 0] },
  ];
  for (const f of faces) {
    const base = shape.positions.length / 3;
    for (const [su, sv] of [
      [-1, -1],
      [1, -1],
      [1, 1],
      [-1, 1],
    ]) {
      const p = add(c, mul(add(add(f.n, scale(f.u, su)), scale(f.v, sv)), h));
      shape.positions.push(...p);
      pushNormal(shape, f.n);
    }
    shape.indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  return finish(shape);
}

/** The mouth's outline: half width, half height, how far the corners rise (smile > 0), and a vertical shift. */
export interface MouthPose {
  w: number;
  h: number;
  curve: number;
  dy: number;
}

/**
 * The mouth: a filled ellipse lying on the head sphere (centre `head`, radius `radius`) just above its surface, so
 * the shapes that open it stay on the face. Each pose is a morph target moving the same vertices.
 */
export function mouth(head: Vec3, radius: number, centreY: number, rest: MouthPose, poses: Record<string, MouthPose>): Shape {
  const rings = 4;
  const seg = 24;
  const place = (pose: MouthPose, ring: number, j: number): Vec3 => {
    const t = (j / seg) * Math.PI * 2;
    const x = pose.w * (ring / rings) * Math.cos(t);
    const y = centreY + pose.dy + pose.h * (ring / rings) * Math.sin(t) + pose.curve * (x / Math.max(pose.w, 1e-6)) ** 2;
    const dx = x - head[0];
    const dyh = y - head[1];
    const z = head[2] + Math.sqrt(Math.max(0, radius * radius - dx * dx - dyh * dyh)) + 0.002;
    return [x, y, z];
  };
  const shape: Shape = { positions: [], normals: [], indices: [], targets: new Map() };
  const vertex = (ring: number, j: number) => (ring === 0 ? 0 : 1 + (ring - 1) * seg + (j % seg));
  const each = (fn: (ring: number, j: number) => void) => {
    fn(0, 0);
    for (let ring = 1; ring <= rings; ring++) for (let j = 0; j < seg; j++) fn(ring, j);
  };
  each((ring, j) => {
    const p = place(rest, ring, j);
    shape.positions.push(...p);
    pushNormal(shape, sub(p, head));
  });
  for (let j = 0; j < seg; j++) shape.indices.push(vertex(0, 0), vertex(1, j), vertex(1, j + 1));
  for (let ring = 1; ring < rings; ring++) {
    for (let j = 0; j < seg; j++) {
      const a = vertex(ring, j),
        b = vertex(ring, j + 1),
        c = vertex(ring + 1, j),
        d = vertex(ring + 1, j + 1);
      shape.indices.push(a, c, d, a, d, b);
    }
  }
  for (const [name, pose] of Object.entries(poses)) {
    const deltas: number[] = [];
    let i = 0;
    each((ring, j) => {
      const q = place(pose, ring, j);
      deltas.push(q[0] - shape.positions[i], q[1] - shape.positions[i + 1], q[2] - shape.positions[i + 2]);
      i += 3;
    });
    shape.targets.set(name, deltas.map(round));
  }
  return finish(shape);
}

/** Turns a shape about the X axis through `pivot` (positive turns +Y toward +Z). */
export function rotateX(shape: Shape, angle: number, pivot: Vec3): Shape {
  const c = Math.cos(angle),
    s = Math.sin(angle);
  for (let i = 0; i < shape.positions.length; i += 3) {
    const y = shape.positions[i + 1] - pivot[1],
      z = shape.positions[i + 2] - pivot[2];
    shape.positions[i + 1] = round(pivot[1] + y * c - z * s);
    shape.positions[i + 2] = round(pivot[2] + y * s + z * c);
    const ny = shape.normals[i + 1],
      nz = shape.normals[i + 2];
    shape.normals[i + 1] = ny * c - nz * s;
    shape.normals[i + 2] = ny * s + nz * c;
  }
  return shape;
}

/** Gives a shape every named target in the given order (zero deltas for the ones it lacks): glTF asks all
 * primitives of one mesh to have the same targets. */
export function padTargets(shape: Shape, names: string[]): Shape {
  const zero = new Array(shape.positions.length).fill(0);
  shape.targets = new Map(names.map((n) => [n, shape.targets.get(n) ?? zero]));
  return shape;
}

/** Joins shapes that share a material into one primitive; targets present in any part are kept (zero elsewhere). */
export function merge(shapes: Shape[]): Shape {
  const out: Shape = { positions: [], normals: [], indices: [], targets: new Map() };
  const names = [...new Set(shapes.flatMap((s) => [...s.targets.keys()]))];
  for (const name of names) out.targets.set(name, []);
  for (const s of shapes) {
    const base = out.positions.length / 3;
    out.positions.push(...s.positions);
    out.normals.push(...s.normals);
    out.indices.push(...s.indices.map((i) => i + base));
    for (const name of names) out.targets.get(name)!.push(...(s.targets.get(name) ?? new Array(s.positions.length).fill(0)));
  }
  return out;
}

function gridIndices(shape: Shape, rows: number, seg: number, flip = false): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < seg; j++) {
      const a = i * (seg + 1) + j,
        b = a + 1,
        c = a + seg + 1,
        d = c + 1;
      if (flip) shape.indices.push(a, b, d, a, d, c);
      else shape.indices.push(a, c, d, a, d, b);
    }
  }
}

// Rounding to 0.1 mm keeps the file the same bytes on every machine (no last-bit float noise).
function round(v: number): number {
  const r = Math.round(v * 1e4) / 1e4;
  return r === 0 ? 0 : r;
}

function finish(shape: Shape): Shape {
  shape.positions = shape.positions.map(round);
  return shape;
}

function pushNormal(shape: Shape, n: Vec3): void {
  const u = normalize(n);
  shape.normals.push(...u);
}

const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const mul = (a: Vec3, b: Vec3): Vec3 => [a[0] * b[0], a[1] * b[1], a[2] * b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
function normalize(a: Vec3): Vec3 {
  const l = Math.hypot(...a) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}
