/**
 * RGBA to I420 (planar Y, then U and V at half resolution), BT.601 limited range as WebRTC's encoders expect.
 * Integer arithmetic with 8-bit fixed-point coefficients; chroma averages each 2x2 block. Width and height even.
 */
export function rgbaToI420(rgba: Uint8Array, width: number, height: number, out?: Uint8Array): Uint8Array {
  if (width % 2 || height % 2) throw new Error('I420 needs even width and height.');
  const size = width * height;
  const target = out ?? new Uint8Array((size * 3) / 2);
  if (rgba.length < size * 4) throw new Error(`An RGBA frame of ${width}x${height} needs ${size * 4} bytes.`);
  if (target.length < (size * 3) / 2) throw new Error(`An I420 frame of ${width}x${height} needs ${(size * 3) / 2} bytes.`);
  const uOffset = size;
  const vOffset = size + size / 4;
  const halfWidth = width >> 1;
  const rowBytes = width * 4;
  for (let y = 0; y < height; y += 2) {
    let p0 = y * rowBytes; // top row of the 2x2 block
    let p1 = p0 + rowBytes; // bottom row
    let y0 = y * width;
    let y1 = y0 + width;
    let c = uOffset + (y >> 1) * halfWidth;
    const cEnd = c + halfWidth;
    for (; c < cEnd; c++) {
      const r00 = rgba[p0],
        g00 = rgba[p0 + 1],
        b00 = rgba[p0 + 2];
      const r01 = rgba[p0 + 4],
        g01 = rgba[p0 + 5],
        b01 = rgba[p0 + 6];
      const r10 = rgba[p1],
        g10 = rgba[p1 + 1],
        b10 = rgba[p1 + 2];
      const r11 = rgba[p1 + 4],
        g11 = rgba[p1 + 5],
        b11 = rgba[p1 + 6];
      target[y0++] = ((66 * r00 + 129 * g00 + 25 * b00 + 128) >> 8) + 16;
      target[y0++] = ((66 * r01 + 129 * g01 + 25 * b01 + 128) >> 8) + 16;
      target[y1++] = ((66 * r10 + 129 * g10 + 25 * b10 + 128) >> 8) + 16;
      target[y1++] = ((66 * r11 + 129 * g11 + 25 * b11 + 128) >> 8) + 16;
      const r = r00 + r01 + r10 + r11;
      const g = g00 + g01 + g10 + g11;
      const b = b00 + b01 + b10 + b11;
      // Sums of four pixels: the >> 10 divides by 4 as well as by 256.
      target[c] = ((-38 * r - 74 * g + 112 * b + 512) >> 10) + 128;
      target[c + vOffset - uOffset] = ((112 * r - 94 * g - 18 * b + 512) >> 10) + 128;
      p0 += 8;
      p1 += 8;
    }
  }
  return target;
}
