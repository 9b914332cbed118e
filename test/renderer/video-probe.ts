import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

const run = promisify(execFile);

export interface VideoStream {
  codec_name: string;
  pix_fmt: string;
  width: number;
  height: number;
  r_frame_rate: string;
  nb_read_frames: string;
}

/** ffprobe's view of an MP4's video stream (frames counted by decoding), plus its container's format name. */
export async function probeMp4(mp4: Buffer): Promise<{ stream: VideoStream; formatName: string; moovFirst: boolean }> {
  return withFile(mp4, async (file) => {
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames:format=format_name',
      '-of',
      'json',
      file,
    ]);
    const parsed = JSON.parse(stdout) as { streams: VideoStream[]; format: { format_name: string } };
    // +faststart puts the index (moov) before the media data (mdat).
    const moov = mp4.indexOf('moov');
    const mdat = mp4.indexOf('mdat');
    return { stream: parsed.streams[0], formatName: parsed.format.format_name, moovFirst: moov >= 0 && moov < mdat };
  });
}

/** What every clip of the project must be: MP4 with its index first (faststart), H.264 yuv420p, and every frame. */
export async function expectFaststartH264(
  mp4: Buffer,
  expected: { width: number; height: number; fps: number; frames: number },
): Promise<void> {
  const { stream, moovFirst, formatName } = await probeMp4(mp4);
  expect(formatName).toContain('mp4');
  expect(moovFirst).toBe(true);
  expect(stream).toMatchObject({
    codec_name: 'h264',
    pix_fmt: 'yuv420p',
    width: expected.width,
    height: expected.height,
    r_frame_rate: `${expected.fps}/1`,
    nb_read_frames: String(expected.frames),
  });
}

/** Decodes every frame to RGB24 (3 bytes a pixel). */
export async function decodeFrames(mp4: Buffer, width: number, height: number): Promise<Uint8Array[]> {
  return withFile(mp4, async (file) => {
    const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
      encoding: 'buffer',
      maxBuffer: 1024 * 1024 * 1024,
    });
    const size = width * height * 3;
    const frames: Uint8Array[] = [];
    for (let o = 0; o + size <= stdout.length; o += size) frames.push(new Uint8Array(stdout.buffer, stdout.byteOffset + o, size));
    return frames;
  });
}

async function withFile<T>(bytes: Buffer, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'renderer-probe-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    await writeFile(file, bytes);
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
