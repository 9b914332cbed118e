// What the video tests share: speech files made with espeak-ng (and ffmpeg for other containers), waiting for a job,
// and an independent look at the result with ffprobe and ffmpeg.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestKey, TestServer } from '../harness/test-server.ts';

/** espeak-ng's WAV of `text` (22.05 kHz), optionally re-encoded by ffmpeg to another container ('mp3', 'ogg', ...). */
export function spokenFile(text: string, format: 'wav' | 'mp3' | 'ogg' | 'flac' | 'm4a' | 'webm' = 'wav'): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-speech-test-'));
  try {
    const wav = path.join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
    if (format === 'wav') return fs.readFileSync(wav);
    const out = path.join(dir, `speech.${format}`);
    const codec = {
      mp3: ['-c:a', 'libmp3lame'],
      ogg: ['-c:a', 'libopus'],
      flac: ['-c:a', 'flac'],
      m4a: ['-c:a', 'aac'],
      webm: ['-c:a', 'libopus'],
    }[format];
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', wav, ...codec, '-y', out]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds of audio in a file, as ffprobe reads it. */
export function audioSeconds(file: Buffer): number {
  return probe(file).format.duration;
}

/** A multipart body (fetch's FormData) with files and fields. */
export function form(files: Record<string, Buffer>, fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  for (const [name, bytes] of Object.entries(files)) body.append(name, new Blob([new Uint8Array(bytes)]), `${name}.bin`);
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

/** POSTs a multipart form with the key; the answer's status and JSON. */
export async function postForm(server: TestServer, key: TestKey, urlPath: string, body: FormData) {
  const response = await fetch(`${server.url}${urlPath}`, { method: 'POST', headers: { 'x-api-key': key.key }, body });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

/** The job once `done` holds (the server's own loop renders it), within `timeoutMs`. */
export async function waitForVideo(server: TestServer, key: TestKey, id: string, done: (video: any) => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const video = (await server.api('GET', `/api/v1/videos/${id}`, { key })).body;
    if (done(video)) return video;
    if (Date.now() > deadline) throw new Error(`timed out waiting for video ${id}: ${JSON.stringify(video)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Probe {
  format: { format_name: string; duration: number };
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    pix_fmt?: string;
    nb_frames?: string;
  }[];
}

/** ffprobe's view of a file. */
export function probe(file: Buffer): Probe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-probe-'));
  try {
    const at = path.join(dir, 'file');
    fs.writeFileSync(at, file);
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', at]).toString();
    const parsed = JSON.parse(out);
    return { ...parsed, format: { ...parsed.format, duration: Number(parsed.format.duration) } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The file a blob URL serves (no key: blob URLs are capabilities). */
export async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Mean absolute change of the grey levels inside a box between consecutive frames, per frame pair, decoded by ffmpeg
 * (`box` in pixels: x, y, w, h). Where the mouth moves the box changes; where it is still it does not.
 */
export function regionMotion(mp4: Buffer, box: [number, number, number, number], fps: number): number[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-motion-'));
  try {
    const at = path.join(dir, 'clip.mp4');
    fs.writeFileSync(at, mp4);
    const [x, y, w, h] = box;
    const raw = execFileSync(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        at,
        '-vf',
        `crop=${w}:${h}:${x}:${y},format=gray`,
        '-r',
        String(fps),
        '-f',
        'rawvideo',
        '-',
      ],
      { maxBuffer: 1024 * 1024 * 1024 },
    );
    const size = w * h;
    const frames = Math.floor(raw.length / size);
    const motion: number[] = [];
    for (let f = 1; f < frames; f++) {
      let sum = 0;
      for (let i = 0; i < size; i++) sum += Math.abs(raw[f * size + i]! - raw[(f - 1) * size + i]!);
      motion.push(sum / size);
    }
    return motion;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Files under the server's local blob store whose path names a video (nothing is left behind by a refused request). */
export function videoFilesOf(server: TestServer, avatarId: string): string[] {
  const dir = path.join(server.config.dataDir, 'blobs', 'avatars', avatarId, 'videos');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile());
}
