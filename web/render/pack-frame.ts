/**
 * A frame as the page sends it: WebGL's read-back (bottom row first, premultiplied RGBA) turned top row first with
 * straight alpha, and its fully transparent pixels (most of a VRM's or an orb's frame) sent as counts, not bytes.
 * Sending is what a frame costs most (a megabyte through the browser's network stack), so fewer bytes is faster.
 *
 * Format: little-endian 32-bit words, repeated until width * height pixels are covered:
 *   [transparent pixels][pixels that follow][that many RGBA pixels, one word each]
 * src/videos/browser/unpack-frame.ts reads it back.
 */
export function packFrame(src: Uint8Array, width: number, height: number, out: Uint32Array): Uint8Array {
  const pixels = new Uint32Array(src.buffer, src.byteOffset, width * height);
  let header = 0;
  out[0] = 0;
  out[1] = 0;
  let o = 2;
  let literal = false;
  for (let y = 0; y < height; y++) {
    const row = (height - 1 - y) * width;
    for (let x = 0; x < width; x++) {
      const p = pixels[row + x];
      if (p === 0) {
        if (literal) {
          header = o;
          out[o++] = 0;
          out[o++] = 0;
          literal = false;
        }
        out[header]++;
        continue;
      }
      literal = true;
      out[header + 1]++;
      const a = p >>> 24;
      if (a === 255 || a === 0) {
        out[o++] = p;
        continue;
      }
      // Premultiplied to straight: an edge pixel's colour is its own, not darkened by its coverage.
      const k = 255 / a;
      const r = Math.min(255, Math.round((p & 255) * k));
      const g = Math.min(255, Math.round(((p >>> 8) & 255) * k));
      const b = Math.min(255, Math.round(((p >>> 16) & 255) * k));
      out[o++] = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
    }
  }
  return new Uint8Array(out.buffer, 0, o * 4);
}

/** Words packFrame may need for a frame: every pixel plus a header pair per run in the worst case. */
export const packedWords = (width: number, height: number): number => width * height * 2 + 2;
