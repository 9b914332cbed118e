import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeVideo } from './encode-video.ts';

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  ffmpegPath?: string;
}

/**
 * A silent clip of opaque RGBA frames as H.264 MP4 bytes (yuv420p, +faststart): a preview. encodeVideo does the work
 * (a missing ffmpeg or libx264 is a MissingPart, ffmpeg-part.ts); the file goes through a temporary folder because
 * faststart moves the index to the front, which needs a seekable output.
 */
export async function encodeMp4(frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: EncodeOptions): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'renderer-mp4-'));
  try {
    const mp4Path = path.join(dir, 'clip.mp4');
    await encodeVideo(frames, { ...options, audio: null, mp4Path, opaque: true });
    return await readFile(mp4Path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
