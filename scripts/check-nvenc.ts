/**
 * Proves the video encoder's GPU path on a machine with an NVIDIA GPU (issue 18): the probe picks h264_nvenc, a 10 s
 * 512x512/30 clip with speech encodes with it, ffprobe reads H.264 + AAC of the right size, rate and duration, and
 * the encode is timed against libx264 on the same frames. Exits 1 when the probe finds no working h264_nvenc, after
 * printing ffmpeg's reason and proving the libx264 fallback there.
 * Run: npx tsx scripts/check-nvenc.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeVideo, type H264Encoder, probeH264Encoder } from '../renderer/encoder/encode-video.ts';

const WIDTH = 512;
const HEIGHT = 512;
const FPS = 30;
const SECONDS = 10;
const SAMPLE_RATE = 24_000;

/** A moving gradient: enough detail that the encoder has work to do. */
function* frames(): Generator<Uint8Array> {
  for (let i = 0; i < SECONDS * FPS; i++) {
    const frame = new Uint8Array(WIDTH * HEIGHT * 4);
    for (let p = 0; p < WIDTH * HEIGHT; p++) {
      const x = p % WIDTH;
      const y = (p / WIDTH) | 0;
      frame[4 * p] = (x + i * 3) & 255;
      frame[4 * p + 1] = (y + i) & 255;
      frame[4 * p + 2] = (x ^ y) & 255;
      frame[4 * p + 3] = 255;
    }
    yield frame;
  }
}

function tone(): Uint8Array {
  const pcm = new Uint8Array(SECONDS * SAMPLE_RATE * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < SECONDS * SAMPLE_RATE; i++)
    view.setInt16(2 * i, Math.round(6000 * Math.sin((2 * Math.PI * 220 * i) / SAMPLE_RATE)), true);
  return pcm;
}

async function encodeWith(encoder: H264Encoder, dir: string): Promise<{ seconds: number; probe: string }> {
  const mp4Path = path.join(dir, `${encoder}.mp4`);
  const started = performance.now();
  await encodeVideo(frames(), {
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    audio: { pcm: tone(), sampleRate: SAMPLE_RATE },
    mp4Path,
    encoder,
  });
  const seconds = (performance.now() - started) / 1000;
  const probe = execFileSync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,width,height,r_frame_rate:format=duration',
    '-of',
    'compact',
    mp4Path,
  ]).toString();
  return { seconds, probe: probe.trim() };
}

/** ffmpeg's own words for why an NVENC encode fails here. */
function nvencError(): string {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=s=256x256:d=0.2',
    '-c:v',
    'h264_nvenc',
    '-f',
    'null',
    '-',
  ];
  const run = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 15_000 });
  return run.error ? run.error.message : run.stderr.trim().split('\n').slice(0, 2).join(' / ');
}

const dir = await mkdtemp(path.join(tmpdir(), 'check-nvenc-'));
try {
  const chosen = await probeH264Encoder();
  console.log(`probe chose: ${chosen}`);
  if (chosen !== 'h264_nvenc') {
    // Say why (no GPU, no driver, or a GPU without an NVENC unit, as the H100 and H200), then prove the fallback.
    console.log(`no working h264_nvenc here: ${nvencError()}`);
    const { seconds, probe } = await encodeWith('libx264', dir);
    console.log(`fallback libx264: ${SECONDS} s of ${WIDTH}x${HEIGHT}/${FPS} in ${seconds.toFixed(2)} s`);
    console.log(probe);
    process.exitCode = 1;
  } else {
    for (const encoder of ['h264_nvenc', 'libx264'] as const) {
      const { seconds, probe } = await encodeWith(encoder, dir);
      console.log(
        `${encoder}: ${SECONDS} s of ${WIDTH}x${HEIGHT}/${FPS} in ${seconds.toFixed(2)} s (${(SECONDS / seconds).toFixed(1)}x real time)`,
      );
      console.log(probe);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
