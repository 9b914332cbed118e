/** A dark red-brown: what shows between parted lips when the photo has no inner mouth to warp. */
const INTERIOR = [52, 18, 20];
const LIGHTER_TOP = [92, 44, 42];

/**
 * Fills the polygon between the posed inner lips with the mouth-interior colour, blended by `opacity`,
 * lighter under the upper lip (a hint of teeth shade) and darker towards the throat.
 */
export function fillMouthInterior(
  target: Uint8Array,
  width: number,
  height: number,
  polygonX: number[],
  polygonY: number[],
  opacity: number,
): void {
  if (opacity <= 0 || polygonX.length < 3) return;
  const top = Math.min(...polygonY);
  const bottom = Math.max(...polygonY);
  const yStart = Math.max(0, Math.floor(top));
  const yEnd = Math.min(height - 1, Math.ceil(bottom));
  const span = Math.max(1, bottom - top);
  const n = polygonX.length;
  for (let y = yStart; y <= yEnd; y++) {
    const py = y + 0.5;
    const crossings: number[] = [];
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = polygonY[i];
      const yj = polygonY[j];
      if (yi > py !== yj > py) crossings.push(polygonX[i] + ((py - yi) / (yj - yi)) * (polygonX[j] - polygonX[i]));
    }
    crossings.sort((a, b) => a - b);
    const depth = Math.min(1, (py - top) / span);
    const r = LIGHTER_TOP[0] + (INTERIOR[0] - LIGHTER_TOP[0]) * depth;
    const g = LIGHTER_TOP[1] + (INTERIOR[1] - LIGHTER_TOP[1]) * depth;
    const b = LIGHTER_TOP[2] + (INTERIOR[2] - LIGHTER_TOP[2]) * depth;
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const xFrom = Math.max(0, Math.ceil(crossings[k] - 0.5));
      const xTo = Math.min(width - 1, Math.floor(crossings[k + 1] - 0.5));
      for (let x = xFrom; x <= xTo; x++) {
        const o = (y * width + x) * 4;
        target[o] = target[o] + (r - target[o]) * opacity + 0.5;
        target[o + 1] = target[o + 1] + (g - target[o + 1]) * opacity + 0.5;
        target[o + 2] = target[o + 2] + (b - target[o + 2]) * opacity + 0.5;
      }
    }
  }
}
