import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rgbaToI420 } from '../live/rgba-to-i420.ts';
import { loadWrtc } from '../live/wrtc-binding.ts';
import { missingFfmpeg } from './ffmpeg-part.ts';

/** What sits behind a frame's transparent pixels in the MP4: a colour (`#rrggbb`) or an image file, cover-fitted. */
export type VideoBackground = { color: string } | { imagePath: string };

export type H264Encoder = 'libx264' | 'h264_nvenc';

export interface VideoEncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** The speech under the clip: mono 16-bit little-endian PCM. AAC in the MP4, Opus in the WebM. */
  audio: { pcm: Uint8Array; sampleRate: number } | null;
  /** Where the MP4 (H.264 + AAC, faststart) goes. */
  mp4Path: string;
  /** Where a WebM (VP9 with alpha, from the frames' own alpha) goes as well; none when absent. */
  webmPath?: string;
  /** Flattened under the frames in the MP4 (default black); the WebM keeps the frames' alpha. */
  background?: VideoBackground | null;
  /**
   * The frames have no transparent pixel (a photo portrait): nothing to flatten, and no WebM. They are converted to
   * I420 here with libyuv and piped as such: against RGBA through ffmpeg's overlay, that is 62% fewer bytes through
   * the pipe and no conversion in ffmpeg.
   */
  opaque?: boolean;
  /** H.264 encoder; `probeH264Encoder` picks h264_nvenc where a GPU answers. Default libx264. */
  encoder?: H264Encoder;
  ffmpegPath?: string;
  signal?: AbortSignal;
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * ffmpeg's arguments for one encode: raw frames on stdin (input 0: RGBA, or I420 when opaque), the PCM (input 1), a
 * background image (next).
 */
export function videoEncodeArgs(options: VideoEncodeOptions, pcmPath: string | null): string[] {
  const { width, height, fps, background } = options;
  const size = `${width}x${height}`;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-f',
    'rawvideo',
    '-pix_fmt',
    options.opaque ? 'yuv420p' : 'rgba',
    '-s',
    size,
    '-r',
    String(fps),
    '-i',
    '-',
  ];
  let audioInput: number | null = null;
  if (pcmPath && options.audio) {
    args.push('-f', 's16le', '-ar', String(options.audio.sampleRate), '-ac', '1', '-i', pcmPath);
    audioInput = 1;
  }
  if (options.opaque) {
    args.push('-map', '0:v');
    if (audioInput !== null) args.push('-map', `${audioInput}:a`);
    return [...args, ...h264Args(options, audioInput !== null)];
  }
  let underlay: string;
  if (background && 'imagePath' in background) {
    args.push('-loop', '1', '-i', background.imagePath);
    const input = audioInput === null ? 1 : 2;
    underlay = `[${input}:v]scale=${size}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1,format=rgba[bg]`;
  } else {
    const color = background && HEX_COLOR.test(background.color) ? `0x${background.color.slice(1)}` : 'black';
    underlay = `color=c=${color}:s=${size}:r=${fps},format=rgba[bg]`;
  }
  const split = options.webmPath ? '[0:v]split=2[fg][alpha];' : '[0:v]null[fg];';
  args.push('-filter_complex', `${split}${underlay};[bg][fg]overlay=shortest=1:format=auto,format=yuv420p[flat]`);

  args.push('-map', '[flat]');
  if (audioInput !== null) args.push('-map', `${audioInput}:a`);
  args.push(...h264Args(options, audioInput !== null));

  if (options.webmPath) {
    args.push('-map', '[alpha]');
    if (audioInput !== null) args.push('-map', `${audioInput}:a`);
    args.push('-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-b:v', '0', '-crf', '32', '-deadline', 'realtime', '-cpu-used', '8');
    args.push('-row-mt', '1', '-auto-alt-ref', '0', '-r', String(fps));
    if (audioInput !== null) args.push('-c:a', 'libopus', '-b:a', '96k');
    args.push('-f', 'webm', '-y', options.webmPath);
  }
  return args;
}

/** The MP4 output's arguments: H.264 (NVENC or x264), AAC when there is speech, the index at the front. */
function h264Args(options: VideoEncodeOptions, withAudio: boolean): string[] {
  // x264: one thread (a clip renders beside live sessions; threads cost CPU in hand-offs, and one encodes 512x512 at
  // over 300 frames/s) and the cheapest motion search, which on a talking head costs 1% more bytes for a third less
  // CPU. AAC's fast coder takes 40% less CPU than the default at this rate, transparent for mono speech.
  const codec =
    options.encoder === 'h264_nvenc'
      ? ['-c:v', 'h264_nvenc', '-preset', 'p4', '-cq', '23']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-threads', '1', '-x264-params', 'subme=1:me=dia'];
  const audio = withAudio ? ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '96k'] : [];
  return [
    ...codec,
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(options.fps),
    ...audio,
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    options.mp4Path,
  ];
}

/**
 * Encodes RGBA frames (and the speech) into an MP4, and a transparent WebM when asked, with Debian's ffmpeg in one
 * process: the frames are read once. Frames are written with back-pressure; an aborted `signal` kills ffmpeg and
 * rejects with the signal's reason. Answers the number of frames encoded.
 */
export async function encodeVideo(frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: VideoEncodeOptions): Promise<number> {
  const frameBytes = options.width * options.height * 4;
  const dir = await mkdtemp(path.join(tmpdir(), 'video-encode-'));
  try {
    let pcmPath: string | null = null;
    if (options.audio && options.audio.pcm.length > 0) {
      pcmPath = path.join(dir, 'speech.pcm');
      await writeFile(pcmPath, options.audio.pcm);
    }
    const ffmpeg = spawn(options.ffmpegPath ?? 'ffmpeg', videoEncodeArgs(options, pcmPath), { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    ffmpeg.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    const exited = new Promise<number>((resolve, reject) => {
      ffmpeg.on('error', reject);
      ffmpeg.on('close', (code) => resolve(code ?? -1));
    });
    exited.catch(() => {});
    ffmpeg.stdin.on('error', () => {});
    const abort = () => ffmpeg.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort);
    try {
      await once(ffmpeg, 'spawn');
    } catch (error) {
      throw missingFfmpeg(error as NodeJS.ErrnoException) ?? error;
    }
    const toI420 = options.opaque ? await i420Converter(options.width, options.height) : null;
    let count = 0;
    try {
      for await (const frame of frames) {
        options.signal?.throwIfAborted();
        if (frame.length !== frameBytes) throw new Error(`Frame ${count} has ${frame.length} bytes, expected ${frameBytes}.`);
        count++;
        if (!ffmpeg.stdin.write(toI420 ? toI420(frame) : frame)) await drained(ffmpeg);
        if (ffmpeg.exitCode !== null) break;
      }
      options.signal?.throwIfAborted();
    } catch (error) {
      ffmpeg.kill('SIGKILL');
      await exited.catch(() => {});
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    ffmpeg.stdin.end();
    const code = await exited;
    if (count === 0) throw new Error('No frames to encode.');
    if (code !== 0) throw missingFfmpeg(null, stderr) ?? new Error(`ffmpeg failed (exit ${code}): ${stderr.trim().slice(0, 500)}`);
    return count;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * RGBA to I420 into one reused buffer: libyuv through the WebRTC binding, or the TypeScript conversion where the
 * binding does not load. One buffer is enough: a write either took the whole frame at once or the loop waits for
 * 'drain', after which the pipe holds no reference to it.
 */
async function i420Converter(width: number, height: number): Promise<(rgba: Uint8Array) => Uint8Array> {
  const i420 = new Uint8Array(width * height * 1.5);
  try {
    const { nonstandard } = await loadWrtc();
    return (rgba) => {
      nonstandard.rgbaToI420({ width, height, data: rgba }, { width, height, data: i420 });
      return i420;
    };
  } catch {
    return (rgba) => rgbaToI420(rgba, width, height, i420);
  }
}

function drained(ffmpeg: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ffmpeg.stdin?.off('drain', done);
      ffmpeg.off('close', done);
      resolve();
    };
    ffmpeg.stdin?.once('drain', done);
    ffmpeg.once('close', done);
  });
}

let probed: Promise<H264Encoder> | null = null;

/**
 * h264_nvenc when this machine's ffmpeg can encode one frame with it (an NVIDIA GPU and its driver are present),
 * otherwise libx264. Probed once per process: a real encode, since ffmpeg lists h264_nvenc whether or not a GPU is
 * there.
 */
export function probeH264Encoder(ffmpegPath = 'ffmpeg'): Promise<H264Encoder> {
  probed ??= new Promise((resolve) => {
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=256x256:d=0.2',
      '-c:v',
      'h264_nvenc',
      '-f',
      'null',
      '-',
    ];
    execFile(ffmpegPath, args, { timeout: 15_000 }, (error) => resolve(error ? 'libx264' : 'h264_nvenc'));
  });
  return probed;
}
