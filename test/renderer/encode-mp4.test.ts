import { describe, expect, it } from 'vitest';
import { decodeFrames, expectFaststartH264 } from './video-probe.ts';
import { encodeMp4 } from '../../renderer/encoder/encode-mp4.ts';

function solid(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const frame = new Uint8Array(width * height * 4);
  for (let o = 0; o < frame.length; o += 4) frame.set([...rgb, 255], o);
  return frame;
}

describe('encodeMp4', () => {
  it('encodes RGBA frames into a faststart H.264 yuv420p MP4 with every frame', async () => {
    const frames = Array.from({ length: 12 }, (_, i) => solid(96, 64, [i * 20, 100, 200 - i * 10]));
    async function* source() {
      yield* frames;
    }
    const mp4 = await encodeMp4(source(), { width: 96, height: 64, fps: 24 });
    await expectFaststartH264(mp4, { width: 96, height: 64, fps: 24, frames: 12 });
    const decoded = await decodeFrames(mp4, 96, 64);
    expect(decoded).toHaveLength(12);
    // Colours survive the round trip within H.264's loss.
    expect(Math.abs(decoded[11][0] - 220)).toBeLessThan(8);
    expect(Math.abs(decoded[0][2] - 200)).toBeLessThan(8);
  });

  it('rejects a frame of the wrong size and an empty source, leaving nothing behind', async () => {
    await expect(encodeMp4([solid(96, 64, [0, 0, 0]), new Uint8Array(10)], { width: 96, height: 64, fps: 30 })).rejects.toThrow(
      /Frame 1 has 10 bytes/,
    );
    await expect(encodeMp4([], { width: 96, height: 64, fps: 30 })).rejects.toThrow(/No frames/);
  });

  it('reports an ffmpeg that cannot start', async () => {
    await expect(
      encodeMp4([solid(64, 64, [0, 0, 0])], { width: 64, height: 64, fps: 30, ffmpegPath: '/nonexistent/ffmpeg' }),
    ).rejects.toThrow(/ENOENT/);
  });
});
