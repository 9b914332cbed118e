import type { ControlMesh } from './control-mesh.ts';
import { MOUTH } from './landmark-indices.ts';

/**
 * The photo's own mouth, column by column between the lip corners (output pixels, rest pose): the outer and inner
 * edges of both lips, snapped to the pixels where the landmarks are off (FaceMesh often puts the inner lips inside
 * a toothy smile), and what the mouth draws with (tooth colour, whether the photo shows teeth).
 */
export interface MouthProfile {
  /** Columns, left corner to right corner, about two per pixel. */
  count: number;
  x: Float64Array;
  /** Upper lip outer edge, upper lip inner edge, lower lip inner edge, lower lip outer edge. */
  upperOuter: Float64Array;
  upperInner: Float64Array;
  lowerInner: Float64Array;
  lowerOuter: Float64Array;
  /** Each column's place on every lip chain (segment index and fraction), to follow the posed mesh. */
  chains: Record<ChainName, ChainPlace>;
  /** Each chain's rest height at every column (the landmarks', before snapping). */
  chainRestY: Record<ChainName, Float64Array>;
  centreX: number;
  halfWidth: number;
  /** Visible upper teeth in the photo (a smile); otherwise the mouth draws its own. */
  photoTeeth: boolean;
  teeth: [number, number, number];
  /** The lips' own colour, for the crease and pressed-lip shading. */
  lip: [number, number, number];
}

export type ChainName = 'upperOuter' | 'upperInner' | 'lowerInner' | 'lowerOuter';

export interface ChainPlace {
  points: number[];
  segment: Int32Array;
  fraction: Float64Array;
}

const DEFAULT_TEETH: [number, number, number] = [226, 220, 204];
/** A pixel belongs to the opening when it is far less red than lip (teeth) or dark (the inside). */
const TEETH_RED_GREEN = 26;
const LIP_RED_GREEN = 42;

export function buildMouthProfile(mesh: ControlMesh, base: Uint8Array, width: number, height: number): MouthProfile {
  const at = (i: number) => mesh.pointOf[i];
  const left = at(MOUTH.leftCorner);
  const right = at(MOUTH.rightCorner);
  const chainPoints: Record<ChainName, number[]> = {
    upperOuter: [left, ...MOUTH.outerUpper.map(at), right],
    upperInner: [left, at(MOUTH.innerCornerLeft), ...MOUTH.innerUpper.map(at), at(MOUTH.innerCornerRight), right],
    lowerInner: [left, at(MOUTH.innerCornerLeft), ...MOUTH.innerLower.map(at), at(MOUTH.innerCornerRight), right],
    lowerOuter: [left, ...MOUTH.outerLower.map(at), right],
  };
  const x0 = mesh.restX[left];
  const x1 = mesh.restX[right];
  const count = Math.max(8, Math.ceil((x1 - x0) * 2) + 1);
  const x = new Float64Array(count);
  for (let k = 0; k < count; k++) x[k] = x0 + ((x1 - x0) * k) / (count - 1);
  const chains = {} as Record<ChainName, ChainPlace>;
  const rest = {} as Record<ChainName, Float64Array>;
  for (const name of Object.keys(chainPoints) as ChainName[]) {
    chains[name] = placeOnChain(chainPoints[name], mesh.restX, x);
    rest[name] = chainValue(chains[name], mesh.restY, new Float64Array(count), new Float64Array(count));
  }
  const mouthWidth = Math.max(4, x1 - x0);
  const centreX = (x0 + x1) / 2;
  const halfWidth = mouthWidth / 2;
  const innerLeft = mesh.restX[at(MOUTH.innerCornerLeft)];
  const innerRight = mesh.restX[at(MOUTH.innerCornerRight)];
  const pixel = (px: number, py: number) => {
    const o = (Math.min(height - 1, Math.max(0, Math.round(py))) * width + Math.min(width - 1, Math.max(0, Math.floor(px)))) * 4;
    return [base[o], base[o + 1], base[o + 2]];
  };
  // How much a pixel looks like the opening (teeth or the dark inside) rather than lip: 0 lip .. 1 opening.
  const opening = (px: number, py: number) => {
    const [r, g, b] = pixel(px, py);
    const redGreen = r - g;
    const luma = (r + g + b) / 3;
    return Math.max(clamp01((LIP_RED_GREEN - redGreen) / (LIP_RED_GREEN - TEETH_RED_GREEN)), clamp01((95 - luma) / 35));
  };

  const upperInner = new Float64Array(count).fill(Number.NaN);
  const lowerInner = new Float64Array(count).fill(Number.NaN);
  const teethSum = [0, 0, 0, 0];
  for (let k = 0; k < count; k++) {
    if (x[k] <= innerLeft || x[k] >= innerRight) {
      upperInner[k] = lowerInner[k] = (rest.upperInner[k] + rest.lowerInner[k]) / 2;
      continue;
    }
    // Search between the lips' outer edges (which the landmarks place well) for runs of opening pixels, and keep
    // the one that overlaps the landmarks' inner band most (a dark mouth corner can sit above the teeth).
    const from = Math.ceil(rest.upperOuter[k]);
    const to = Math.floor(rest.lowerOuter[k]);
    const bandTop = rest.upperInner[k] - 1;
    const bandBottom = rest.lowerInner[k] + 1;
    let best: [number, number] | null = null;
    let bestOverlap = 0;
    let runStart = -1;
    for (let y = from; y <= to + 1; y++) {
      const open = y <= to && opening(x[k], y) >= 0.5;
      if (open && runStart < 0) runStart = y;
      if (!open && runStart >= 0) {
        const overlap = Math.min(y, bandBottom) - Math.max(runStart, bandTop) + (y - runStart) * 0.01;
        if (overlap > bestOverlap) {
          best = [runStart, y];
          bestOverlap = overlap;
        }
        runStart = -1;
      }
    }
    if (!best) continue;
    // Sub-pixel edges where the opening score crosses one half between the last lip row and the first open one.
    upperInner[k] = best[0] - 0.5 + crossing(opening(x[k], best[0] - 1), opening(x[k], best[0]));
    lowerInner[k] = best[1] + 0.5 - crossing(opening(x[k], best[1]), opening(x[k], best[1] - 1));
    for (let y = best[0]; y < best[1]; y++) {
      const [r, g, b] = pixel(x[k], y);
      if ((r + g + b) / 3 > 170 && r - g < TEETH_RED_GREEN) {
        teethSum[0] += r;
        teethSum[1] += g;
        teethSum[2] += b;
        teethSum[3]++;
      }
    }
  }
  // Columns with no opening (closed lips, or a missed run) meet in the middle of their neighbours.
  fillGaps(upperInner, lowerInner, rest.upperInner, rest.lowerInner);
  // Filter widths follow the mouth's size (a 1024 frame has twice the columns of the same photo at 512).
  const radius = Math.max(2, Math.round(count / 36));
  median(upperInner, radius);
  median(lowerInner, radius);
  smooth(upperInner, radius);
  smooth(lowerInner, radius);
  const upperOuter = new Float64Array(count);
  const lowerOuter = new Float64Array(count);
  let openArea = 0;
  let lipSum = [0, 0, 0, 0];
  for (let k = 0; k < count; k++) {
    const s = (x[k] - centreX) / halfWidth;
    const bulge = Math.sqrt(Math.max(0, 1 - s * s));
    // Corners pinch every edge together; elsewhere each lip keeps at least a little thickness.
    if (upperInner[k] > lowerInner[k]) upperInner[k] = lowerInner[k] = (upperInner[k] + lowerInner[k]) / 2;
    const minThickness = mouthWidth * 0.05 * bulge;
    upperOuter[k] = Math.min(rest.upperOuter[k], upperInner[k] - minThickness);
    lowerOuter[k] = Math.max(rest.lowerOuter[k], lowerInner[k] + minThickness);
    openArea += lowerInner[k] - upperInner[k];
    const lipY = (lowerInner[k] + lowerOuter[k]) / 2;
    if (bulge > 0.5) {
      const [r, g, b] = pixel(x[k], lipY);
      lipSum = [lipSum[0] + r, lipSum[1] + g, lipSum[2] + b, lipSum[3] + 1];
    }
  }
  const pixelsPerColumn = (x1 - x0) / (count - 1);
  return {
    count,
    x,
    upperOuter,
    upperInner,
    lowerInner,
    lowerOuter,
    chains,
    chainRestY: rest,
    centreX,
    halfWidth,
    // A mean opening of a few percent of the mouth's width is a smile with teeth, not a lip line.
    photoTeeth: (openArea * pixelsPerColumn) / mouthWidth > mouthWidth * 0.04 && teethSum[3] >= 4,
    teeth: teethSum[3] >= 4 ? [teethSum[0] / teethSum[3], teethSum[1] / teethSum[3], teethSum[2] / teethSum[3]] : DEFAULT_TEETH,
    lip: lipSum[3] > 0 ? [lipSum[0] / lipSum[3], lipSum[1] / lipSum[3], lipSum[2] / lipSum[3]] : [180, 110, 110],
  };
}

/** Where each column falls on a chain of mesh points ordered left to right (clamped to its ends). */
function placeOnChain(points: number[], restX: Float64Array, columns: Float64Array): ChainPlace {
  const segment = new Int32Array(columns.length);
  const fraction = new Float64Array(columns.length);
  columns.forEach((cx, k) => {
    let s = 0;
    while (s < points.length - 2 && restX[points[s + 1]] < cx) s++;
    const xa = restX[points[s]];
    const xb = restX[points[s + 1]];
    segment[k] = s;
    fraction[k] = xb === xa ? 0 : clamp01((cx - xa) / (xb - xa));
  });
  return { points, segment, fraction };
}

/** A chain's value at each column, into `out`: `values` of its points interpolated, minus `minus` (displacements). */
export function chainValue(place: ChainPlace, values: ArrayLike<number>, minus: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let k = 0; k < out.length; k++) {
    const a = place.points[place.segment[k]];
    const b = place.points[place.segment[k] + 1];
    const f = place.fraction[k];
    out[k] = values[a] + (values[b] - values[a]) * f - minus[k];
  }
  return out;
}

/** Where a score crosses 0.5 between two neighbouring pixel centres, as a fraction of the way from outside to inside. */
function crossing(outside: number, inside: number): number {
  if (inside - outside < 1e-6) return 0.5;
  return clamp01((0.5 - outside) / (inside - outside));
}

/** Columns without a snapped edge take the closed lip line between the landmarks', then both edges meet. */
function fillGaps(upper: Float64Array, lower: Float64Array, restUpper: Float64Array, restLower: Float64Array): void {
  for (let k = 0; k < upper.length; k++) {
    if (!Number.isNaN(upper[k])) continue;
    upper[k] = lower[k] = (restUpper[k] + restLower[k]) / 2;
  }
}

/** A running median: one stray pixel (a glint, a dark gap between teeth) must not bend the edge. */
function median(values: Float64Array, radius: number): void {
  const copy = Float64Array.from(values);
  const window: number[] = [];
  for (let k = radius; k < values.length - radius; k++) {
    window.length = 0;
    for (let j = k - radius; j <= k + radius; j++) window.push(copy[j]);
    window.sort((a, b) => a - b);
    values[k] = window[radius];
  }
}

/** A box filter, twice: the snapped edges are read from noisy single pixels. */
function smooth(values: Float64Array, radius: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const copy = Float64Array.from(values);
    for (let k = 0; k < values.length; k++) {
      let sum = 0;
      let n = 0;
      for (let j = Math.max(0, k - radius); j <= Math.min(values.length - 1, k + radius); j++) {
        sum += copy[j];
        n++;
      }
      values[k] = sum / n;
    }
  }
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
