import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FfprobeInfo } from './decode-speech.ts';
import { MediaRejected } from './media-rejected.ts';
import { runProgram } from './run-program.ts';

/** A background image's checks: PNG, JPEG or WebP that ffmpeg decodes, with sides it can scale. */
export async function checkBackgroundImage(image: Buffer): Promise<{ extension: string; contentType: string }> {
  if (image.length === 0) throw new MediaRejected('The background image is empty.');
  const dir = await mkdtemp(path.join(tmpdir(), 'video-background-'));
  try {
    const file = path.join(dir, 'image');
    await writeFile(file, image);
    const probe = await runProgram('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { timeoutMs: 30_000 });
    const info = probe.code === 0 ? (JSON.parse(probe.stdout.toString()) as FfprobeInfo) : null;
    const stream = info?.streams?.find((s) => s.codec_type === 'video');
    const kind = IMAGE_CODECS[stream?.codec_name ?? ''];
    if (!stream || !kind || !stream.width || !stream.height || stream.width > 8192 || stream.height > 8192) {
      throw new MediaRejected('The background image must be a PNG, JPEG or WebP of at most 8192 pixels a side.');
    }
    return kind;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const IMAGE_CODECS: Record<string, { extension: string; contentType: string }> = {
  png: { extension: 'png', contentType: 'image/png' },
  mjpeg: { extension: 'jpg', contentType: 'image/jpeg' },
  webp: { extension: 'webp', contentType: 'image/webp' },
};
