import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrames, expectFaststartH264 } from './video-probe.ts';
import { encodeMp4 } from '../../renderer/encoder/encode-mp4.ts';
import { checkFfmpeg, FFMPEG_MISSING, MissingPart } from '../../renderer/encoder/ffmpeg-part.ts';

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

  it('reports an ffmpeg that cannot start as a missing part, before drawing a frame', async () => {
    let drawn = 0;
    function* source() {
      drawn++;
      yield solid(64, 64, [0, 0, 0]);
    }
    const failure = await encodeMp4(source(), { width: 64, height: 64, fps: 30, ffmpegPath: '/nonexistent/ffmpeg' }).catch((e) => e);
    expect(failure).toBeInstanceOf(MissingPart);
    expect(failure).toMatchObject({ part: 'ffmpeg', reason: FFMPEG_MISSING.notFound });
    expect(drawn).toBe(0);
  });

  it('reports an ffmpeg without libx264 as a missing part, and checks for one as the renderer and the API do', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fake-ffmpeg-'));
    try {
      // An ffmpeg built without libx264: lists other encoders, refuses libx264 as ffmpeg does.
      const fake = path.join(dir, 'ffmpeg');
      await writeFile(
        fake,
        `#!/bin/sh\nif [ "$2" = "-encoders" ]; then echo ' V....D libx265   H.265'; exit 0; fi\necho "Unknown encoder 'libx264'" >&2\nexit 1\n`,
        { mode: 0o755 },
      );
      const failure = await encodeMp4([solid(64, 64, [0, 0, 0])], { width: 64, height: 64, fps: 30, ffmpegPath: fake }).catch((e) => e);
      expect(failure).toMatchObject({ part: 'ffmpeg', reason: FFMPEG_MISSING.noX264 });
      expect(await checkFfmpeg(fake)).toEqual({ ok: false, reason: FFMPEG_MISSING.noX264 });
      expect(await checkFfmpeg('/nonexistent/ffmpeg')).toEqual({ ok: false, reason: FFMPEG_MISSING.notFound });
      expect(await checkFfmpeg()).toEqual({ ok: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
