// The render page's frame packing (web/render/pack-frame.ts) and the server's unpacking (src/videos/browser): WebGL's
// bottom-up premultiplied read-back comes out top-down with straight alpha, transparent runs sent as counts.
import { describe, expect, it } from 'vitest';
import { packedWords, packFrame } from '../../web/render/pack-frame.ts';
import { unpackFrame } from '../../src/videos/browser/unpack-frame.ts';

/** A read-back as WebGL gives it: row 0 is the bottom row. */
function readBack(rowsTopDown: number[][][]): Uint8Array {
  const h = rowsTopDown.length;
  const w = rowsTopDown[0].length;
  const out = new Uint8Array(w * h * 4);
  rowsTopDown.forEach((row, y) => row.forEach((px, x) => out.set(px, ((h - 1 - y) * w + x) * 4)));
  return out;
}

describe('packFrame / unpackFrame', () => {
  it('turns the picture top row first, keeps opaque pixels and transparency, and un-premultiplies edges', () => {
    const clear = [0, 0, 0, 0];
    const red = [255, 0, 0, 255];
    const halfBlue = [0, 0, 100, 128]; // premultiplied: straight blue is 100 * 255 / 128 = 199
    const rows = [
      [red, clear, clear],
      [clear, clear, halfBlue],
      [clear, clear, clear],
    ];
    const packed = packFrame(readBack(rows), 3, 3, new Uint32Array(packedWords(3, 3)));
    const frame = unpackFrame(packed, 3 * 3 * 4);
    expect([...frame]).toEqual([...red, ...clear, ...clear, ...clear, ...clear, 0, 0, 199, 128, ...clear, ...clear, ...clear]);
    // 3 runs of transparency (1 opaque, then 5 clear + 1 edge, then 3 clear): far fewer bytes than the picture.
    expect(packed.length).toBe((2 + 1 + 2 + 1 + 2) * 4);
  });

  it('round-trips a fully opaque and a fully transparent frame, and worst-case alternation', () => {
    const w = 64;
    const h = 48;
    const opaque = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256));
    const unpacked = unpackFrame(packFrame(opaque, w, h, new Uint32Array(packedWords(w, h))), w * h * 4);
    // Opaque pixels only change rows: the first row out is the last row in.
    expect(unpacked.subarray(0, w * 4)).toEqual(Buffer.from(opaque.subarray((h - 1) * w * 4, h * w * 4)));
    expect(unpackFrame(packFrame(new Uint8Array(w * h * 4), w, h, new Uint32Array(packedWords(w, h))), w * h * 4)).toEqual(
      Buffer.alloc(w * h * 4),
    );
    const alternating = new Uint8Array(w * h * 4).map((_, i) => (Math.floor(i / 4) % 2 === 0 ? 255 : 0));
    const back = unpackFrame(packFrame(alternating, w, h, new Uint32Array(packedWords(w, h))), w * h * 4);
    expect(back.filter((v) => v === 255).length).toBe(alternating.filter((v) => v === 255).length);
  });

  it('unpacks into one reused buffer: what was opaque in the frame before is clear where this one is', () => {
    const [w, h] = [8, 4];
    const out = Buffer.alloc(w * h * 4);
    const opaque = new Uint8Array(w * h * 4).fill(255);
    expect(unpackFrame(packFrame(opaque, w, h, new Uint32Array(packedWords(w, h))), w * h * 4, out)).toBe(out);
    const half = new Uint8Array(w * h * 4).map((_, i) => (i < (w * h * 4) / 2 ? 0 : 200 + (i % 4 === 3 ? 55 : 0)));
    const again = unpackFrame(packFrame(half, w, h, new Uint32Array(packedWords(w, h))), w * h * 4, out);
    expect(again).toEqual(unpackFrame(packFrame(half, w, h, new Uint32Array(packedWords(w, h))), w * h * 4));
    expect(again.subarray((w * h * 4) / 2).every((v) => v === 0)).toBe(true); // bottom rows in, top rows out: clear
    expect(() => unpackFrame(packFrame(half, w, h, new Uint32Array(packedWords(w, h))), w * h * 4, Buffer.alloc(4))).toThrow(RangeError);
  });

  it('refuses a packed frame that does not cover the picture', () => {
    const packed = packFrame(new Uint8Array(16), 2, 2, new Uint32Array(packedWords(2, 2)));
    expect(() => unpackFrame(packed, 4 * 4 * 4)).toThrow('The render page sent a frame that does not cover the picture.');
    expect(() => unpackFrame(packed.subarray(0, 4), 2 * 2 * 4)).toThrow('does not cover');
    // A run of clear pixels past the picture's end.
    expect(() => unpackFrame(new Uint8Array(new Uint32Array([5, 0]).buffer), 4 * 4, Buffer.alloc(16))).toThrow('does not cover');
  });
});
