import type { ControlMesh } from './control-mesh.ts';
import { LEFT_EYE, RIGHT_EYE } from './landmark-indices.ts';

/** What the brows and lids do, per eye in mesh.eyes order (the image's left eye first). */
export interface BrowPose {
  /** Whole brow up, 0..1 (emphasis, surprise). */
  raise: [number, number];
  /** Inner ends up, outer ends a touch down, 0..1 (sadness). */
  inner: number;
  /** Down and drawn together, inner ends most, 0..1 (anger, concentration). */
  knit: [number, number];
  /** Upper lids up (wide eyes) when positive, drooping when negative; -1..1. */
  lidOpen: number;
  /** Lower lids pushed up by the cheeks, 0..1 (a smile's narrowed eyes). */
  lidNarrow: number;
}

/** Brow travel at full raise, in face heights. */
const RAISE = 0.045;
const INNER = 0.05;
const KNIT_DOWN = 0.024;
const KNIT_IN = 0.03;
/** The most of its nearest brow's travel the skin above it takes. */
const FOREHEAD_SHARE = 0.5;

interface BrowRows {
  /** The brow's two rows, outer end to inner end. */
  brow: number[][];
  /** Lid crease (nearest the lid) and the row above it. */
  crease: number[][];
  under: number[][];
}

interface Forehead {
  point: number;
  drivers: { p: number; w: number }[];
}

const rowsByMesh = new WeakMap<ControlMesh, BrowRows[]>();

/**
 * Moves brows, lid creases and lids for an expression, then lets the forehead follow the brows with a smooth
 * falloff, so raised brows lift the skin above them instead of tearing or folding it. Runs before the gaze is
 * placed, so the irises sit between the moved lids.
 */
export function poseBrows(mesh: ControlMesh, pose: BrowPose, outX: Float64Array, outY: Float64Array): void {
  const rows = rowsByMesh.get(mesh) ?? browRows(mesh);
  rowsByMesh.set(mesh, rows);
  const h = mesh.face.height;
  mesh.eyes.forEach((eye, side) => {
    const r = rows[side];
    const raise = pose.raise[side];
    const knit = pose.knit[side];
    const inward = Math.sign(mesh.face.centreX - (mesh.restX[eye.outerCorner] + mesh.restX[eye.innerCorner]) / 2);
    const shift = (u: number): [number, number] => [
      knit * KNIT_IN * h * u * inward,
      h * (-RAISE * raise - INNER * pose.inner * u + 0.008 * pose.inner * (1 - u) + knit * (KNIT_DOWN * (0.6 + 0.8 * u))),
    ];
    for (const row of r.brow) {
      row.forEach((p, k) => {
        const [dx, dy] = shift(k / (row.length - 1));
        outX[p] += dx;
        outY[p] += dy;
      });
    }
    // Lids move by a share of the eye's own opening at each column, so a small eye never closes or inverts.
    const lidLift = eye.upper.map((p, k) => -pose.lidOpen * 0.35 * (mesh.restY[eye.lower[k]] - mesh.restY[p]));
    // The skin between brow and lid (crease rows) moves as a blend of the two by its place between them: every gap
    // shrinks or stretches by the same factor, so rows a pixel apart on a small face never cross.
    const lower = r.brow[1];
    const outerX = mesh.restX[lower[0]];
    const innerX = mesh.restX[lower[lower.length - 1]];
    for (const row of r.crease) {
      row.forEach((p, k) => {
        const x = mesh.restX[p];
        const u = Math.min(1, Math.max(0, (x - outerX) / (innerX - outerX)));
        const browY = rowY(mesh, lower, u);
        const lidY = mesh.restY[eye.upper[k]];
        const s = lidY > browY ? Math.min(1, Math.max(0, (mesh.restY[p] - browY) / (lidY - browY))) : 1;
        const [dx, dy] = shift(u);
        outX[p] += dx * (1 - s);
        outY[p] += dy * (1 - s) + lidLift[k] * s;
      });
    }
    eye.upper.forEach((p, k) => {
      const opening = mesh.restY[eye.lower[k]] - mesh.restY[p];
      outY[p] += lidLift[k];
      outY[eye.lower[k]] += (pose.lidOpen * 0.1 - pose.lidNarrow * 0.3) * opening;
      outY[r.under[0][k]] -= pose.lidNarrow * 0.22 * opening;
      outY[r.under[1][k]] -= pose.lidNarrow * 0.12 * opening;
    });
  });
  for (const { point, drivers } of foreheadOf(mesh, rows)) {
    let sx = 0;
    let sy = 0;
    let sum = 0;
    for (const { p, w } of drivers) {
      sx += (outX[p] - mesh.restX[p]) * w;
      sy += (outY[p] - mesh.restY[p]) * w;
      sum += w;
    }
    // Normalised only past 1, so the pull fades to nothing at the radius; never the whole brow's travel.
    const share = (FOREHEAD_SHARE * Math.min(1, sum)) / Math.max(1, sum);
    outX[point] += sx * share;
    outY[point] += sy * share;
  }
}

function browRows(mesh: ControlMesh): BrowRows[] {
  const at = (i: number) => mesh.pointOf[i];
  return [RIGHT_EYE, LEFT_EYE].map((eye) => ({
    brow: [eye.brow.slice(0, 5).map(at), eye.brow.slice(5).map(at)],
    crease: eye.creaseRows.map((row) => row.map(at)),
    under: eye.underRows.map((row) => row.map(at)),
  }));
}

const foreheadByMesh = new WeakMap<ControlMesh, Forehead[]>();

/** Skin above the eyes within reach of a brow, with a weight per brow point: the nose and cheeks stay put. */
function foreheadOf(mesh: ControlMesh, rows: BrowRows[]): Forehead[] {
  const known = foreheadByMesh.get(mesh);
  if (known) return known;
  const radius = mesh.face.height * 0.22;
  const browPoints = rows.flatMap((r) => r.brow.flat());
  const eyeTop = Math.min(...mesh.eyes.flatMap((eye) => eye.upper.map((p) => mesh.restY[p])));
  const forehead: Forehead[] = [];
  for (let q = 0; q < mesh.count; q++) {
    if (mesh.eyePoints.has(q) || mesh.headWeight[q] !== 1 || mesh.restY[q] >= eyeTop) continue;
    const drivers = browPoints
      .map((p) => ({ p, d: Math.hypot(mesh.restX[q] - mesh.restX[p], mesh.restY[q] - mesh.restY[p]) }))
      .filter(({ d }) => d < radius)
      .map(({ p, d }) => ({ p, w: (1 - d / radius) ** 2 }));
    if (drivers.length > 0) forehead.push({ point: q, drivers });
  }
  foreheadByMesh.set(mesh, forehead);
  return forehead;
}

/** Rest height of a brow row at fraction u from its outer end to its inner end. */
function rowY(mesh: ControlMesh, row: number[], u: number): number {
  const f = u * (row.length - 1);
  const k = Math.min(row.length - 2, Math.floor(f));
  return mesh.restY[row[k]] + (mesh.restY[row[k + 1]] - mesh.restY[row[k]]) * (f - k);
}
