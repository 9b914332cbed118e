import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { missingFfmpeg } from './ffmpeg-part.ts';

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** Pixel format of the raw frames given (the engine draws RGBA). */
  pixelFormat?: 'rgba' | 'yuv420p';
  /** libx264 preset; "veryfast" keeps a 3 s clip well under a second at 512x512. */
  preset?: string;
  ffmpegPath?: string;
}

/**
 * Encodes raw frames into an H.264 MP4 (yuv420p, +faststart) with Debian's ffmpeg. No ffmpeg, or one without libx264,
 * is a MissingPart (ffmpeg-part.ts), known before any frame is drawn when ffmpeg cannot be started at all.
 * The MP4 goes to a temporary file because faststart moves the index to the front, which needs a seekable output.
 * Frames are written with back-pressure, so a frame source that yields between frames keeps the process responsive.
 */
export async function encodeMp4(frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: EncodeOptions): Promise<Buffer> {
  const { width, height, fps } = options;
  const pixelFormat = options.pixelFormat ?? 'rgba';
  const frameBytes = pixelFormat === 'rgba' ? width * height * 4 : (width * height * 3) / 2;
  const dir = await mkdtemp(path.join(tmpdir(), 'renderer-mp4-'));
  const output = path.join(dir, 'clip.mp4');
  try {
    const ffmpeg = spawn(
      options.ffmpegPath ?? 'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-f',
        'rawvideo',
        '-pix_fmt',
        pixelFormat,
        '-s',
        `${width}x${height}`,
        '-r',
        String(fps),
        '-i',
        '-',
        '-c:v',
        'libx264',
        '-preset',
        options.preset ?? 'veryfast',
        '-crf',
        '20',
        '-pix_fmt',
        'yuv420p',
        '-r',
        String(fps),
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        '-y',
        output,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    ffmpeg.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    const exited = new Promise<number>((resolve, reject) => {
      ffmpeg.on('error', reject);
      ffmpeg.on('close', (code) => resolve(code ?? -1));
    });
    // Awaited below; marked handled now because a spawn failure can reject before that.
    exited.catch(() => {});
    // A dead ffmpeg surfaces through its exit code; swallow the pipe error it causes here.
    ffmpeg.stdin.on('error', () => {});
    try {
      // An ffmpeg that cannot start fails here, before a frame is drawn for it.
      await once(ffmpeg, 'spawn');
    } catch (error) {
      throw missingFfmpeg(error as NodeJS.ErrnoException) ?? error;
    }
    let count = 0;
    try {
      for await (const frame of frames) {
        if (frame.length !== frameBytes) throw new Error(`Frame ${count} has ${frame.length} bytes, expected ${frameBytes}.`);
        count++;
        if (!ffmpeg.stdin.write(frame)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              ffmpeg.stdin.off('drain', done);
              ffmpeg.off('close', done);
              resolve();
            };
            ffmpeg.stdin.once('drain', done);
            ffmpeg.once('close', done);
          });
        }
        if (ffmpeg.exitCode !== null) break;
      }
    } catch (error) {
      ffmpeg.kill('SIGKILL');
      await exited.catch(() => {});
      throw error;
    }
    ffmpeg.stdin.end();
    const code = await exited;
    if (count === 0) throw new Error('No frames to encode.');
    if (code !== 0) throw missingFfmpeg(null, stderr) ?? new Error(`ffmpeg failed (exit ${code}): ${stderr.trim().slice(0, 500)}`);
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
