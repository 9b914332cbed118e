// Stylized_3d talking videos rendered in headless Chromium (src/videos/browser): the starter VRM and an orb, checked
// with ffprobe and ffmpeg: streams, size, rate, duration; the mouth moves where the speech is and not in silence; a
// transparent WebM has real alpha; the same seed gives the same frames; failures are clear and leave nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { configureHeadlessBrowser, headlessBrowserGraphics, headlessBrowserSettings } from '../../src/videos/browser/headless-browser.ts';
import { closeBrowserVideos, renderBrowserVideo, type BrowserVideoInput } from '../../src/videos/browser/render-browser-video.ts';
import { STARTER_PATH } from '../../web/starter/build-starter.ts';

const SILENCE_S = 1;
let dir: string;
/** 1 s of silence, espeak-ng speech, 1 s of silence: mono s16le at VIDEO_SAMPLE_RATE. */
let pcm: Uint8Array;
let speechSeconds: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'browser-video-'));
  const wav = path.join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-s', '160', '-w', wav, 'Hello there, how are you today?']);
  const speech = execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-i',
    wav,
    '-ac',
    '1',
    '-ar',
    String(VIDEO_SAMPLE_RATE),
    '-f',
    's16le',
    '-',
  ]);
  const silence = Buffer.alloc(SILENCE_S * VIDEO_SAMPLE_RATE * 2);
  pcm = new Uint8Array(Buffer.concat([silence, speech, silence]));
  speechSeconds = speech.length / 2 / VIDEO_SAMPLE_RATE;
});

afterAll(async () => {
  await closeBrowserVideos();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function input(overrides: Partial<BrowserVideoInput> & Pick<BrowserVideoInput, 'avatar' | 'mp4Path'>): BrowserVideoInput {
  return { pcm, width: 512, height: 512, fps: 30, transparent: false, idleMotion: false, seed: 7, ...overrides };
}

interface Stream {
  codec_name: string;
  codec_type: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
}

function probe(file: string): Stream[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(out) as { streams: Stream[] }).streams;
}

/** Gray pixels of a region of every frame (decoded by ffmpeg), one Uint8Array per frame. */
function grayFrames(
  file: string,
  crop: { x: number; y: number; w: number; h: number } | null,
  width: number,
  height: number,
): Uint8Array[] {
  const filter = crop ? `crop=${crop.w}:${crop.h}:${crop.x}:${crop.y},format=gray` : 'format=gray';
  const raw = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', file, '-vf', filter, '-f', 'rawvideo', '-'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  const size = crop ? crop.w * crop.h : width * height;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + size <= raw.length; at += size) frames.push(raw.subarray(at, at + size));
  return frames;
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
};

/** Each frame's difference from the first (the closed mouth at rest, idle motion off), split by speech and silence. */
function motion(frames: Uint8Array[], fps: number): { silence: number; speech: number } {
  const diffs = frames.map((f) => meanAbsDiff(f, frames[0]));
  const at = (i: number) => i / fps;
  const silent = (i: number) => at(i) < SILENCE_S - 0.1 || at(i) > SILENCE_S + speechSeconds + 0.4;
  const speaking = (i: number) => at(i) > SILENCE_S + 0.1 && at(i) < SILENCE_S + speechSeconds - 0.1;
  return {
    silence: Math.max(...diffs.filter((_, i) => silent(i))),
    speech: Math.max(...diffs.filter((_, i) => speaking(i))),
  };
}

function expectClip(file: string, width: number, height: number, fps: number): void {
  const streams = probe(file);
  const video = streams.find((s) => s.codec_type === 'video')!;
  const audio = streams.find((s) => s.codec_type === 'audio')!;
  expect(video.codec_name).toBe('h264');
  expect(audio.codec_name).toBe('aac');
  expect([video.width, video.height]).toEqual([width, height]);
  expect(video.r_frame_rate).toBe(`${fps}/1`);
  const seconds = pcm.length / 2 / VIDEO_SAMPLE_RATE;
  expect(Math.abs(Number(video.duration) - seconds)).toBeLessThanOrEqual(1 / fps + 1e-3);
  expect(Math.abs(Number(audio.duration) - seconds)).toBeLessThanOrEqual(1 / fps + 1e-3);
}

describe('renderBrowserVideo', () => {
  it('renders the starter VRM: H.264 + AAC at the size and rate, the mouth moving only while it speaks, and a WebM with alpha', async () => {
    const mp4Path = path.join(dir, 'vrm.mp4');
    const webmPath = path.join(dir, 'vrm.webm');
    const progress: number[] = [];
    const result = await renderBrowserVideo(
      input({
        avatar: { renderStyle: 'vrm', modelPath: STARTER_PATH },
        transparent: true,
        mp4Path,
        webmPath,
        onProgress: (p) => progress.push(p),
      }),
    );
    const seconds = pcm.length / 2 / VIDEO_SAMPLE_RATE;
    expect(result.frames).toBe(Math.ceil(seconds * 30));
    expect(Math.abs(result.durationSeconds - seconds)).toBeLessThanOrEqual(1 / 30);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expectClip(mp4Path, 512, 512, 30);
    // Drawn by Mesa's llvmpipe, which scripts/setup.sh installs: twice SwiftShader's speed.
    expect(headlessBrowserGraphics()).toMatch(/llvmpipe/);

    // The starter's mouth at 512x512 (its framing is fixed by vrm-stage.ts's frameUpperBody): below the nose.
    const mouth = motion(grayFrames(mp4Path, { x: 216, y: 172, w: 80, h: 48 }, 512, 512), 30);
    expect(mouth.speech).toBeGreaterThan(4);
    expect(mouth.silence).toBeLessThan(1);

    const [webmVideo] = probe(webmPath).filter((s) => s.codec_type === 'video');
    expect(webmVideo.codec_name).toBe('vp9');
    const alpha = execFileSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-c:v',
        'libvpx-vp9',
        '-i',
        webmPath,
        '-frames:v',
        '1',
        '-vf',
        'alphaextract',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    expect(alpha.length).toBe(512 * 512);
    expect(alpha.includes(0)).toBe(true);
    expect(alpha.includes(255)).toBe(true);
  });

  it('renders an orb at another size that swells with the speech and rests in silence', async () => {
    const mp4Path = path.join(dir, 'orb.mp4');
    await renderBrowserVideo(
      input({
        avatar: { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 },
        width: 320,
        height: 240,
        fps: 25,
        mp4Path,
        background: { color: '#102030' },
      }),
    );
    expectClip(mp4Path, 320, 240, 25);
    const pulse = motion(grayFrames(mp4Path, null, 320, 240), 25);
    expect(pulse.speech).toBeGreaterThan(2);
    expect(pulse.silence).toBeLessThan(0.5);
    // The background asked for is behind the orb: the top-left pixel is #102030's gray (about 30).
    const corner = grayFrames(mp4Path, { x: 0, y: 0, w: 8, h: 8 }, 320, 240)[0];
    expect(Math.abs(corner[0] - 30)).toBeLessThan(8);
  });

  it('draws the same frames for the same seed, idle motion on', async () => {
    const short = pcm.subarray(0, VIDEO_SAMPLE_RATE * 2); // 1 s
    const render = async (name: string) => {
      const mp4Path = path.join(dir, name);
      await renderBrowserVideo(
        input({ avatar: { renderStyle: 'vrm', modelPath: STARTER_PATH }, pcm: short, width: 256, height: 256, idleMotion: true, mp4Path }),
      );
      return execFileSync('ffmpeg', ['-loglevel', 'error', '-i', mp4Path, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' });
    };
    const [a, b] = [await render('same-a.mp4'), await render('same-b.mp4')];
    expect(a.split('\n').filter((l) => /^\d/.test(l)).length).toBe(30);
    expect(a).toBe(b);
  });

  it('fails clearly, leaving no file, when the model cannot be read or is not a VRM', async () => {
    const mp4Path = path.join(dir, 'missing.mp4');
    await expect(
      renderBrowserVideo(input({ avatar: { renderStyle: 'vrm', modelPath: path.join(dir, 'nope.vrm') }, mp4Path })),
    ).rejects.toThrow("The avatar's VRM model could not be read (ENOENT).");
    await expect(
      renderBrowserVideo(input({ avatar: { renderStyle: 'vrm', modelPath: path.join(dir, 'speech.wav') }, mp4Path })),
    ).rejects.toThrow(
      'The avatar could not be loaded for the video: The model is not a VRM file (a glTF binary with VRM data) that three-vrm can read.',
    );
    expect(existsSync(mp4Path)).toBe(false);
  });

  it('refuses sizes, rates and colours it cannot encode', async () => {
    const orb = { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 } as const;
    const mp4Path = path.join(dir, 'bad.mp4');
    await expect(renderBrowserVideo(input({ avatar: orb, width: 511, mp4Path }))).rejects.toThrow(
      'width must be an even whole number from 16 to 4096.',
    );
    await expect(renderBrowserVideo(input({ avatar: orb, fps: 0, mp4Path }))).rejects.toThrow('fps must be from 1 to 120.');
    await expect(renderBrowserVideo(input({ avatar: { ...orb, orbColor: 'red' }, mp4Path }))).rejects.toThrow('orbColor must be #rrggbb.');
    await expect(renderBrowserVideo(input({ avatar: orb, pcm: new Uint8Array(0), mp4Path }))).rejects.toThrow('The speech is empty.');
    await expect(renderBrowserVideo(input({ avatar: orb, transparent: true, mp4Path }))).rejects.toThrow(
      'A transparent video needs webmPath.',
    );
  });

  it('stops when aborted, with the signal reason, and removes what it wrote', async () => {
    const mp4Path = path.join(dir, 'aborted.mp4');
    const controller = new AbortController();
    const rendering = renderBrowserVideo(
      input({
        avatar: { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 },
        mp4Path,
        signal: controller.signal,
        onProgress: (p) => p > 0 && p < 1 && controller.abort(new Error('cancelled by the test')),
      }),
    );
    await expect(rendering).rejects.toThrow('cancelled by the test');
    expect(existsSync(mp4Path)).toBe(false);
    // The browser is still there for the next video.
    const next = path.join(dir, 'after-abort.mp4');
    await renderBrowserVideo(
      input({ avatar: { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 }, pcm: pcm.subarray(0, 9600), mp4Path: next }),
    );
    expect(probe(next).map((s) => s.codec_name)).toEqual(['h264', 'aac']);
  });

  it('renders several videos at once on one browser, past its page bound in turn', async () => {
    const before = headlessBrowserSettings().maxPages;
    configureHeadlessBrowser({ maxPages: 1 });
    try {
      const short = pcm.subarray(0, VIDEO_SAMPLE_RATE); // 0.5 s
      const colors = ['#ff0000', '#00ff00', '#0000ff'];
      const results = await Promise.all(
        colors.map((orbColor, i) =>
          renderBrowserVideo(
            input({
              avatar: { renderStyle: 'orb', orbColor, orbSize: 0.6 },
              pcm: short,
              width: 128,
              height: 128,
              mp4Path: path.join(dir, `many-${i}.mp4`),
            }),
          ),
        ),
      );
      expect(results.map((r) => r.frames)).toEqual([15, 15, 15]);
      // Each clip is its own orb: the centre pixel's strongest channel is its colour's.
      colors.forEach((_, i) => {
        const rgb = execFileSync('ffmpeg', [
          '-loglevel',
          'error',
          '-i',
          path.join(dir, `many-${i}.mp4`),
          '-frames:v',
          '1',
          '-vf',
          'crop=4:4:62:62',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'rgb24',
          '-',
        ]);
        expect([rgb[0], rgb[1], rgb[2]].indexOf(Math.max(rgb[0], rgb[1], rgb[2]))).toBe(i);
      });
    } finally {
      configureHeadlessBrowser({ maxPages: before });
    }
  });

  it('launches a new browser after its browser died', async () => {
    const orb = { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 } as const;
    const short = pcm.subarray(0, VIDEO_SAMPLE_RATE);
    await renderBrowserVideo(input({ avatar: orb, pcm: short, width: 64, height: 64, mp4Path: path.join(dir, 'before-crash.mp4') }));
    // The Chromium this test process launched (its child), killed as a crash would.
    const chromium = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return (
            Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid &&
            /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
          );
        } catch {
          return false; // a process that ended between the listing and the read (ffmpeg, another test's helper)
        }
      });
    expect(chromium).toHaveLength(1);
    process.kill(Number(chromium[0]), 'SIGKILL');
    const after = path.join(dir, 'after-crash.mp4');
    await renderBrowserVideo(input({ avatar: orb, pcm: short, width: 64, height: 64, mp4Path: after }));
    expect(probe(after).map((s) => s.codec_name)).toEqual(['h264', 'aac']);
  });

  it('says how to install Chromium when it is missing', async () => {
    await closeBrowserVideos();
    const before = headlessBrowserSettings().executablePath;
    configureHeadlessBrowser({ executablePath: path.join(dir, 'no-chromium') });
    try {
      await expect(
        renderBrowserVideo(
          input({ avatar: { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 }, mp4Path: path.join(dir, 'none.mp4') }),
        ),
      ).rejects.toThrow(/^Chromium was not found at .*no-chromium: .*apt-get install chromium.*CHROMIUM_PATH/);
    } finally {
      configureHeadlessBrowser({ executablePath: before });
    }
  });
});
