import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { MediaRejected } from './media-rejected.ts';
import { runProgram } from './run-program.ts';

/** The containers and codecs an upload may be: WAV, MP3, OGG/Opus (or Vorbis), FLAC, M4A (AAC/ALAC), WebM. */
const FORMATS = /^(wav|mp3|ogg|flac|mov,mp4,m4a,3gp,3g2,mj2|matroska,webm|aac)$/;

const BYTES_PER_SECOND = VIDEO_SAMPLE_RATE * 2;

/**
 * An uploaded audio file as a video's speech: probed with ffprobe (it must be one of the accepted formats with an audio
 * stream no longer than `maxSeconds`), then decoded with ffmpeg to mono s16le at VIDEO_SAMPLE_RATE. The file goes to a
 * temporary file first: M4A keeps its index at the end, which a pipe cannot seek to.
 */
export async function decodeSpeech(upload: Buffer, maxSeconds: number): Promise<Uint8Array> {
  if (upload.length === 0) throw new MediaRejected('The audio file is empty.');
  const dir = await mkdtemp(path.join(tmpdir(), 'video-speech-'));
  try {
    const file = path.join(dir, 'upload');
    await writeFile(file, upload);
    const probe = await runProgram('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], { timeoutMs: 30_000 });
    const info = probe.code === 0 ? (JSON.parse(probe.stdout.toString()) as FfprobeInfo) : null;
    const formatName = info?.format?.format_name ?? '';
    const audio = info?.streams?.find((stream) => stream.codec_type === 'audio');
    if (!info || !audio || !FORMATS.test(formatName)) {
      throw new MediaRejected('The file is not audio ffmpeg can read as WAV, MP3, OGG/Opus, FLAC, M4A or WebM.');
    }
    const declared = Number(info.format?.duration ?? audio.duration);
    if (Number.isFinite(declared) && declared > maxSeconds + 1) throw tooLong(maxSeconds);
    // One byte past the limit is enough to know it is too long; the declared duration may lie.
    const limit = Math.ceil(maxSeconds * BYTES_PER_SECOND) + 2;
    const decoded = await runProgram(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-i',
        file,
        '-map',
        '0:a:0',
        '-vn',
        '-ac',
        '1',
        '-ar',
        String(VIDEO_SAMPLE_RATE),
        '-f',
        's16le',
        '-',
      ],
      { maxStdoutBytes: limit, timeoutMs: 120_000 },
    );
    if (decoded.code === null && decoded.stdout.length >= limit - 2) throw tooLong(maxSeconds);
    if (decoded.code !== 0) throw new MediaRejected('The audio could not be decoded: the file is damaged or not audio.');
    const pcm = decoded.stdout.subarray(0, decoded.stdout.length - (decoded.stdout.length % 2));
    if (pcm.length > maxSeconds * BYTES_PER_SECOND) throw tooLong(maxSeconds);
    if (pcm.length < BYTES_PER_SECOND / 100) throw new MediaRejected('The audio has no sound in it (shorter than 10 ms).');
    return pcm;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tooLong(maxSeconds: number): MediaRejected {
  return new MediaRejected(`The speech is longer than the ${maxSeconds} s a video may have (VIDEO_MAX_SECONDS).`, 'too-long');
}

export interface FfprobeInfo {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string; duration?: string; width?: number; height?: number }[];
}
