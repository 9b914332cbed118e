/**
 * What shows between parted lips, back to front: a cavity darker towards the throat, the tongue (open vowels),
 * the lower teeth on the jaw, the upper teeth on the skull (the photo's own where it shows them, otherwise drawn)
 * and the tongue's tip raised to the teeth (th, l). Edges are box-filtered over the pixel's height.
 */

/** One posed column of the opening, in output pixels. */
export interface InteriorColumn {
  /** Across the mouth, -1 at the left corner .. 1 at the right; sqrt(1 - s^2), 1 in the middle, 0 at the corners. */
  s: number;
  across: number;
  /** Inner edges of the upper and lower lip. */
  top: number;
  bottom: number;
  /** Bottom edge of the upper teeth, top edge of the lower teeth, top of the tongue, top of a raised tongue tip. */
  upperTeeth: number;
  lowerTeeth: number;
  tongue: number;
  tip: number;
  /** Drawn teeth's darkening at this column (toothGap): 1 on a tooth, less between two. */
  toothShade: number;
  /** Where this column's upper teeth are in the photo (x; y is `y - teethDy`), when the photo shows them. */
  photoX: number;
}

export interface InteriorStyle {
  base: Uint8Array;
  width: number;
  height: number;
  /** Upper teeth come from the photo at (photoX, y - teethDy); otherwise they are drawn in `teeth`'s colour. */
  photoTeeth: boolean;
  teethDy: number;
  teeth: [number, number, number];
  /** Half the mouth's width in pixels (drawn teeth are spaced by it). */
  halfWidth: number;
  /** 0..1: how much of the tongue shows (aa, oh) and of its raised tip (th). */
  tongue: number;
  tip: number;
}

const CAVITY_EDGE = [122, 54, 54];
const THROAT = [22, 5, 7];
const TONGUE = [176, 84, 90];

/** Writes the opening's colour at row centre `yc` of the column into `out` (RGB, not rounded). */
export function shadeInterior(out: Float64Array, column: InteriorColumn, yc: number, style: InteriorStyle): void {
  const { top, bottom, across } = column;
  // Darkest at the opening's middle, lit where the lips let light in: a soft vignette (4v(1-v) stands for sin(pi v)).
  const v = Math.min(1, Math.max(0, (yc - top) / Math.max(1, bottom - top)));
  const hump = 4 * v * (1 - v);
  const depth = 0.9 * across * hump * Math.sqrt(hump);
  for (let c = 0; c < 3; c++) out[c] = CAVITY_EDGE[c] + (THROAT[c] - CAVITY_EDGE[c]) * depth;

  if (style.tongue > 0) {
    const a = style.tongue * below(yc, column.tongue);
    if (a > 0) mix(out, TONGUE, (0.72 + 0.28 * across) * (0.8 + 0.2 * Math.min(1, yc - column.tongue)), a);
  }
  const lower = below(yc, column.lowerTeeth);
  if (lower > 0) {
    // In the lower lip's shadow, darker towards the gum.
    const down = Math.min(1, Math.max(0, (yc - column.lowerTeeth) / Math.max(1, bottom - column.lowerTeeth)));
    mix(out, style.teeth, (0.97 - 0.2 * down) * (0.88 + 0.12 * across), lower);
  }
  const upper = 1 - below(yc, column.upperTeeth);
  if (upper > 0) {
    if (style.photoTeeth) {
      sampleBase(out, style.base, style.width, style.height, column.photoX, yc - style.teethDy, upper);
    } else {
      // Drawn teeth: shaded under the upper lip and towards the corners, with a faint line between teeth.
      const shade = (0.78 + 0.22 * across) * (0.86 + 0.14 * Math.min(1, (yc - top) / 2)) * column.toothShade;
      mix(out, style.teeth, shade, upper);
    }
  }
  if (style.tip > 0) {
    const a = style.tip * below(yc, column.tip);
    if (a > 0) mix(out, TONGUE, 1.08, a);
  }
}

/**
 * Darkening between drawn teeth: incisors meet at the middle, and the teeth narrow towards the corners as the arch
 * turns away (spacing even in the arch's angle, not across the picture). A line about a pixel wide, anti-aliased.
 */
export function toothGap(s: number, halfWidth: number): number {
  const angle = Math.asin(Math.max(-1, Math.min(1, s * 0.98)));
  const teeth = angle / 0.27;
  const fromLine = Math.abs(teeth - Math.round(teeth));
  // Pixels from the nearest gap: d(angle)/ds = 1/cos(angle), so a step in teeth is 0.27*cos(angle)*halfWidth px.
  const pixels = fromLine * 0.27 * Math.cos(angle) * halfWidth;
  return 1 - 0.12 * Math.max(0, 1 - pixels / 0.7);
}

/** Coverage of the pixel row centred at yc below an edge at `edge`. */
function below(yc: number, edge: number): number {
  return Math.min(1, Math.max(0, yc + 0.5 - edge));
}

function mix(out: Float64Array, colour: ArrayLike<number>, shade: number, amount: number): void {
  for (let c = 0; c < 3; c++) out[c] += (Math.min(255, colour[c] * shade) - out[c]) * amount;
}

/** Bilinear sample of an RGBA frame at (x, y) (pixel centres at +0.5), blended into `out` by `amount`. */
export function sampleBase(out: Float64Array, base: Uint8Array, width: number, height: number, x: number, y: number, amount: number): void {
  const u = Math.min(width - 1, Math.max(0, x - 0.5));
  const w = Math.min(height - 1, Math.max(0, y - 0.5));
  const ix = Math.min(width - 2, u | 0);
  const iy = Math.min(height - 2, w | 0);
  const fx = u - ix;
  const fy = w - iy;
  const p = (iy * width + ix) * 4;
  const q = p + width * 4;
  for (let c = 0; c < 3; c++) {
    const value =
      base[p + c] * (1 - fx) * (1 - fy) + base[p + 4 + c] * fx * (1 - fy) + base[q + c] * (1 - fx) * fy + base[q + 4 + c] * fx * fy;
    out[c] += (value - out[c]) * amount;
  }
}
