import { describe, expect, it } from 'vitest';
import { rgbaToI420 } from './rgba-to-i420.ts';
import { loadWrtc } from './wrtc-binding.ts';

function solid(width: number, height: number, [r, g, b]: [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([r, g, b, 255], i * 4);
  return rgba;
}

describe('rgbaToI420', () => {
  it('maps primaries to BT.601 limited-range values', () => {
    const cases: [[number, number, number], [number, number, number]][] = [
      [
        [255, 255, 255],
        [235, 128, 128],
      ],
      [
        [0, 0, 0],
        [16, 128, 128],
      ],
      [
        [255, 0, 0],
        [82, 90, 240],
      ],
      [
        [0, 255, 0],
        [145, 54, 34],
      ],
      [
        [0, 0, 255],
        [41, 240, 110],
      ],
    ];
    for (const [rgb, [y, u, v]] of cases) {
      const out = rgbaToI420(solid(4, 2, rgb), 4, 2);
      expect(out.length).toBe(12);
      expect([...out.subarray(0, 8)].every((value) => Math.abs(value - y) <= 1)).toBe(true);
      expect(Math.abs(out[8] - u)).toBeLessThanOrEqual(1);
      expect(Math.abs(out[10] - v)).toBeLessThanOrEqual(1);
    }
  });

  it('averages chroma over each 2x2 block and keeps luma per pixel', () => {
    const rgba = solid(2, 2, [0, 0, 0]);
    rgba.set([255, 255, 255, 255], 0); // one white pixel of four
    const out = rgbaToI420(rgba, 2, 2);
    expect([...out.subarray(0, 4)]).toEqual([235, 16, 16, 16]);
    expect(out[4]).toBe(128);
    expect(out[5]).toBe(128);
  });

  it('refuses odd sizes and short buffers', () => {
    expect(() => rgbaToI420(new Uint8Array(3 * 2 * 4), 3, 2)).toThrow(/even/);
    expect(() => rgbaToI420(new Uint8Array(10), 2, 2)).toThrow(/needs 16 bytes/);
  });
});

describe("libyuv's RGBA to I420 (what sessions use once the WebRTC binding is loaded)", () => {
  it('agrees with this one within 1 on every sample', async () => {
    const wrtc = await loadWrtc();
    const [width, height] = [64, 32];
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([(i * 13) & 255, (i * 7 + 50) & 255, (i * 3) & 255, 255], i * 4);
    const native = new Uint8Array((width * height * 3) / 2);
    wrtc.nonstandard.rgbaToI420({ width, height, data: rgba }, { width, height, data: native });
    const ours = rgbaToI420(rgba, width, height);
    expect(Math.max(...ours.map((value, i) => Math.abs(value - native[i])))).toBeLessThanOrEqual(1);
  });
});
