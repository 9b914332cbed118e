import type { MouthInput } from './face-rig.ts';
import { type InteriorColumn, type InteriorStyle, sampleBase, shadeInterior, toothGap } from './mouth-interior.ts';
import { type ChainName, chainValue, type MouthProfile } from './mouth-profile.ts';

/** Sub-columns per pixel for the lip edges' coverage: steep edges near the corners are smoothed across x too. */
const SUBSAMPLES = 4;
const CHAINS: ChainName[] = ['upperOuter', 'upperInner', 'lowerInner', 'lowerOuter'];
const CREASE = [100, 42, 44];

/**
 * Draws the mouth over the warped frame, column by column between the posed lip corners: each lip is the photo's
 * own lip mapped from its rest band onto its posed band (so it keeps its colour and thickness however the mesh
 * stretches), the opening between them is drawn by mouth-interior.ts, and the consonant shapes move the inner
 * edges: pressed together with a crease (p, b, m), the lower lip over the upper teeth (f, v), the lower teeth up to
 * the upper ones (s). Every edge is box-filtered over the pixel (SUBSAMPLES across, exact coverage down).
 */
export class MouthPainter {
  private readonly n: number;
  private readonly dx: Record<ChainName, Float64Array>;
  private readonly dy: Record<ChainName, Float64Array>;
  /** Posed columns: x, the four lip edges, teeth, tongue, and the source column in the photo. */
  private readonly col: Record<'x' | 'uo' | 'ui' | 'li' | 'lo' | 'tb' | 'lt' | 'tt' | 'tip' | 'press', Float64Array>;
  private readonly colour = new Float64Array(3);
  private readonly sample = new Float64Array(3);

  constructor(
    private readonly profile: MouthProfile,
    private readonly base: Uint8Array,
    private readonly width: number,
    private readonly height: number,
  ) {
    const n = profile.count;
    this.n = n;
    const make = () => new Float64Array(n);
    this.dx = { upperOuter: make(), upperInner: make(), lowerInner: make(), lowerOuter: make() };
    this.dy = { upperOuter: make(), upperInner: make(), lowerInner: make(), lowerOuter: make() };
    this.col = {
      x: make(),
      uo: make(),
      ui: make(),
      li: make(),
      lo: make(),
      tb: make(),
      lt: make(),
      tt: make(),
      tip: make(),
      press: make(),
    };
  }

  draw(target: Uint8Array, posedX: Float64Array, posedY: Float64Array, mouth: MouthInput): void {
    const { profile, n, col } = this;
    const v = mouth.visemes ?? {};
    const c = mouth.consonants ?? {};
    const pp = weight(c.pp);
    const ff = weight(c.ff);
    const ss = weight(c.ss);
    const th = weight(c.th);
    const ou = weight(v.ou);
    const mouthWidth = profile.halfWidth * 2;
    for (const name of CHAINS) {
      const place = profile.chains[name];
      chainValue(place, posedX, profile.x, this.dx[name]);
      chainValue(place, posedY, profile.chainRestY[name], this.dy[name]);
    }
    // The upper teeth are on the skull: they follow the mouth's middle, not the stretching lips.
    const mid = n >> 1;
    const teethDx = this.dx.upperInner[mid];
    const teethDy = this.dy.upperInner[mid];
    let tongueRoom = 0;
    for (let k = 0; k < n; k++) {
      const s = (profile.x[k] - profile.centreX) / profile.halfWidth;
      const across = Math.sqrt(Math.max(0, 1 - s * s));
      col.x[k] = profile.x[k] + (this.dx.upperOuter[k] + this.dx.upperInner[k] + this.dx.lowerInner[k] + this.dx.lowerOuter[k]) / 4;
      let uo = profile.upperOuter[k] + this.dy.upperOuter[k];
      let ui = profile.upperInner[k] + this.dy.upperInner[k];
      let li = profile.lowerInner[k] + this.dy.lowerInner[k];
      let lo = profile.lowerOuter[k] + this.dy.lowerOuter[k];
      const restLower = lo - li;
      let tb = profile.photoTeeth
        ? profile.lowerInner[k] + teethDy
        : Math.max(profile.upperInner[k], profile.lowerInner[k]) + teethDy + mouthWidth * 0.12 * across;
      // The photo's last row of teeth is half lower lip: once the jaw leaves it, keep it off the teeth's edge.
      if (profile.photoTeeth) tb -= 0.7 * Math.min(1, Math.max(0, li - tb) / 2);
      // Rounded lips (ou) close in from the corners into an oval opening.
      const round = ou * 0.85 * smoothstep(0.3, 0.95, Math.abs(s));
      const middle = (ui + li) / 2;
      ui += (middle - ui) * round;
      li += (middle - li) * round;
      // s, z: the lips part a little over teeth held together.
      ui -= ss * mouthWidth * 0.025 * across;
      li += ss * mouthWidth * 0.03 * across;
      // f, v: the lower lip rides up over the lower half of the upper teeth.
      if (ff > 0) li += (ui + 0.5 * (tb - ui) - li) * ff * across ** 0.5;
      // p, b, m: both lips meet half way.
      const meet = (ui + li) / 2;
      ui += (meet - ui) * pp;
      li += (meet - li) * pp;
      if (ui > li) ui = li = (ui + li) / 2;
      // A lower lip pushed down keeps its thickness; pushed up it thickens (rolled against the teeth).
      lo = Math.max(lo, li + restLower);
      uo = Math.min(uo, ui);
      const gap = Math.max(0, li - tb);
      // The lower teeth show as the jaw drops, mostly hidden by the lower lip; with s they rise to the upper teeth.
      // Only the front teeth: the canines and beyond are in the cheeks' shadow.
      const front = smoothstep(0.8, 0.35, Math.abs(s));
      const lowerTeeth = Math.min(mouthWidth * 0.06 * front, gap * 0.3);
      let lt = li - lowerTeeth;
      lt += (Math.min(lt, tb) - lt) * ss * front;
      const tongueRise = gap * 0.45 * Math.max(0, 1 - (s / 0.72) ** 2);
      // The tongue's tip: a rounded arch whose top just overlaps the upper teeth's edge.
      const arch = Math.abs(s) < 0.34 ? 1 - Math.sqrt(1 - (s / 0.34) ** 2) : 1;
      const tip = arch < 1 ? tb - 0.8 + arch * Math.max(1, li - tb + 0.8) : Number.POSITIVE_INFINITY;
      col.uo[k] = uo;
      col.ui[k] = ui;
      col.li[k] = li;
      col.lo[k] = lo;
      col.tb[k] = tb;
      col.lt[k] = lt;
      col.tt[k] = li - lowerTeeth * 0.5 - tongueRise;
      col.tip[k] = tip;
      // A photo whose lips already meet has its own line there; the crease is for lips pressed over an opening.
      col.press[k] = pp * across ** 0.3 * Math.min(1, Math.max(0, (profile.lowerInner[k] - profile.upperInner[k]) / 1.5));
      tongueRoom = Math.max(tongueRoom, gap);
    }
    const style: InteriorStyle = {
      base: this.base,
      width: this.width,
      height: this.height,
      photoTeeth: profile.photoTeeth,
      teethDy,
      teeth: profile.teeth,
      halfWidth: profile.halfWidth,
      tongue: Math.min(1, Math.max(weight(v.aa), weight(v.oh) * 0.9) * 1.2),
      tip: th,
    };
    this.paint(target, style, teethDx);
  }

  private paint(target: Uint8Array, style: InteriorStyle, teethDx: number): void {
    const { col, n, profile, width, height, base, colour, sample } = this;
    const xFrom = Math.max(0, Math.floor(Math.min(col.x[0], col.x[n - 1])));
    const xTo = Math.min(width - 1, Math.ceil(Math.max(col.x[0], col.x[n - 1])));
    const sub = new Float64Array(SUBSAMPLES * 4);
    // The inside is shaded per sub-column too, so the teeth's and tongue's own edges are smoothed across x.
    const columns: InteriorColumn[] = Array.from({ length: SUBSAMPLES }, () => ({
      s: 0,
      across: 0,
      toothShade: 1,
      top: 0,
      bottom: 0,
      upperTeeth: 0,
      lowerTeeth: 0,
      tongue: 0,
      tip: 0,
      photoX: 0,
    }));
    let cursor = 0;
    for (let x = xFrom; x <= xTo; x++) {
      // The four lip edges at each sub-column, for coverage; NaN outside the corners.
      let yMin = Number.POSITIVE_INFINITY;
      let yMax = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < SUBSAMPLES; j++) {
        const at = x + (j + 0.5) / SUBSAMPLES;
        const k = this.locate(at, cursor);
        cursor = Math.max(0, Math.floor(k));
        const o = j * 4;
        if (k < 0) {
          sub[o] = sub[o + 1] = sub[o + 2] = sub[o + 3] = Number.NaN;
          continue;
        }
        sub[o] = lerpAt(col.uo, k);
        sub[o + 1] = lerpAt(col.ui, k);
        sub[o + 2] = lerpAt(col.li, k);
        sub[o + 3] = lerpAt(col.lo, k);
        const column = columns[j];
        column.s = (lerpAt(profile.x, k) - profile.centreX) / profile.halfWidth;
        column.across = Math.sqrt(Math.max(0, 1 - column.s * column.s));
        column.toothShade = style.photoTeeth ? 1 : toothGap(column.s, profile.halfWidth);
        column.top = sub[o + 1];
        column.bottom = sub[o + 2];
        column.upperTeeth = lerpAt(col.tb, k);
        column.lowerTeeth = lerpAt(col.lt, k);
        column.tongue = lerpAt(col.tt, k);
        column.tip = lerpAt(col.tip, k);
        // The photo's teeth are read at the pixel's centre, so a mouth at rest is the photo to the byte.
        column.photoX = x + 0.5 - teethDx;
        yMin = Math.min(yMin, sub[o]);
        yMax = Math.max(yMax, sub[o + 3]);
      }
      if (yMin > yMax) continue;
      // Shading reads the edges at the pixel's centre (clamped to the mouth's span).
      const kc = Math.max(0, this.locate(x + 0.5, cursor, true));
      const uo = lerpAt(col.uo, kc);
      const ui = lerpAt(col.ui, kc);
      const li = lerpAt(col.li, kc);
      const lo = lerpAt(col.lo, kc);
      const press = lerpAt(col.press, kc);
      const sourceX = lerpAt(profile.x, kc);
      const restUo = lerpAt(profile.upperOuter, kc);
      const restUi = lerpAt(profile.upperInner, kc);
      const restLi = lerpAt(profile.lowerInner, kc);
      const restLo = lerpAt(profile.lowerOuter, kc);
      const yStart = Math.max(0, Math.floor(yMin));
      const yEnd = Math.min(height - 1, Math.ceil(yMax));
      for (let y = yStart; y <= yEnd; y++) {
        const yc = y + 0.5;
        let wUpper = 0;
        let wInside = 0;
        let wLower = 0;
        let r = 0;
        let g = 0;
        let b = 0;
        for (let j = 0; j < SUBSAMPLES; j++) {
          const o = j * 4;
          if (Number.isNaN(sub[o])) continue;
          wUpper += cover(y, sub[o], sub[o + 1]);
          wLower += cover(y, sub[o + 2], sub[o + 3]);
          const inside = cover(y, sub[o + 1], sub[o + 2]);
          if (inside > 0) {
            shadeInterior(colour, columns[j], yc, style);
            r += colour[0] * inside;
            g += colour[1] * inside;
            b += colour[2] * inside;
            wInside += inside;
          }
        }
        wUpper /= SUBSAMPLES;
        wInside /= SUBSAMPLES;
        wLower /= SUBSAMPLES;
        r /= SUBSAMPLES;
        g /= SUBSAMPLES;
        b /= SUBSAMPLES;
        const total = wUpper + wInside + wLower;
        if (total <= 0) continue;
        const p = (y * width + x) * 4;
        r += target[p] * (1 - total);
        g += target[p + 1] * (1 - total);
        b += target[p + 2] * (1 - total);
        if (wUpper > 0) {
          sample[0] = sample[1] = sample[2] = 0;
          // A stretched lip reads its colour from inside the lip, not from its edge row (half teeth).
          const inset = Math.min(0.8, Math.abs(ui - uo - (restUi - restUo)));
          sampleBase(sample, base, width, height, sourceX, mapBand(yc, uo, ui, restUo, restUi - inset), 1);
          r += sample[0] * wUpper;
          g += sample[1] * wUpper;
          b += sample[2] * wUpper;
        }
        if (wLower > 0) {
          sample[0] = sample[1] = sample[2] = 0;
          // Its top row in the photo is half teeth too: skip it once the lip has left the teeth.
          const inset = Math.min(0.8, Math.max(Math.abs(lo - li - (restLo - restLi)), Math.abs(li - ui - (restLi - restUi))));
          sampleBase(sample, base, width, height, sourceX, mapBand(yc, li, lo, restLi + inset, restLo), 1);
          r += sample[0] * wLower;
          g += sample[1] * wLower;
          b += sample[2] * wLower;
        }
        if (press > 0) {
          // The crease where pressed lips meet: a one-pixel line of deep lip shadow, as much as the lips are closed.
          // A softer shadow either side where the lips bulge against each other.
          const meet = (ui + li) / 2;
          const closed = press * Math.max(0, 1 - (li - ui) / 2);
          const line = (cover(y, meet - 0.6, meet + 0.6) * 0.85 + cover(y, meet - 2, meet + 2) * 0.12) * closed;
          r += (CREASE[0] - r) * line;
          g += (CREASE[1] - g) * line;
          b += (CREASE[2] - b) * line;
        }
        target[p] = r + 0.5;
        target[p + 1] = g + 0.5;
        target[p + 2] = b + 0.5;
      }
    }
  }

  /**
   * Fractional column index at posed x (walking on from `from`, since x only grows), or -1 outside the corners
   * unless `clamp`.
   */
  private locate(x: number, from: number, clamp = false): number {
    const xs = this.col.x;
    const n = this.n;
    if (x < xs[0] || x > xs[n - 1]) {
      if (!clamp) return -1;
      return x < xs[0] ? 0 : n - 1;
    }
    let k = Math.min(from, n - 2);
    while (k > 0 && xs[k] > x) k--;
    while (k < n - 2 && xs[k + 1] < x) k++;
    const span = xs[k + 1] - xs[k];
    return k + (span > 1e-9 ? Math.min(1, Math.max(0, (x - xs[k]) / span)) : 0);
  }
}

function lerpAt(values: Float64Array, k: number): number {
  const i = Math.min(values.length - 2, Math.floor(k));
  const f = k - i;
  return values[i] + (values[i + 1] - values[i]) * f;
}

/** Length of [a, b] inside pixel row y (which spans y .. y+1). */
function cover(y: number, a: number, b: number): number {
  return Math.max(0, Math.min(y + 1, b) - Math.max(y, a));
}

/** A row in a posed band [top, bottom] mapped to the same place in the rest band [restTop, restBottom]. */
function mapBand(yc: number, top: number, bottom: number, restTop: number, restBottom: number): number {
  const span = bottom - top;
  const f = span > 1e-6 ? Math.min(1, Math.max(0, (yc - top) / span)) : 0.5;
  return restTop + (restBottom - restTop) * f;
}

/** 0 at edge0, 1 at edge1 (either order), smooth in between. */
function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

function weight(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
