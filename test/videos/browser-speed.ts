/**
 * Render speed of stylized_3d videos (renderBrowserVideo) at 512x512/30: a 10 s clip of espeak-ng speech for the
 * starter VRM and an orb, MP4 only and MP4 + transparent WebM. Prints wall-clock speed (clip seconds over render
 * seconds) and the CPU time every process spent (Node, Chromium's, ffmpeg), which stays meaningful on a busy machine.
 *   npx tsx test/videos/browser-speed.ts [seconds=10]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { closeHeadlessBrowser } from '../../src/videos/browser/headless-browser.ts';
import { renderBrowserVideo } from '../../src/videos/browser/render-browser-video.ts';
import { STARTER_PATH } from '../../web/starter/build-starter.ts';

const seconds = Number(process.argv[2] ?? 10);
const dir = await mkdtemp(path.join(tmpdir(), 'browser-speed-'));
const TICK = 100; // clock ticks per second (Linux USER_HZ)

/**
 * CPU seconds of this process, its waited children (ffmpeg), and the live descendants (Chromium's processes), by
 * kind: node, ffmpeg (this process' waited children), chromium's browser, renderer and GPU processes.
 */
async function cpuSeconds(): Promise<Record<string, number>> {
  const stat = async (pid: number | string) => {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
    const kind = Number(pid) === process.pid ? 'node' : type === 'gpu-process' ? 'gpu' : type ? type : 'browser';
    return { kind, ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) / TICK, children: (Number(f[13]) + Number(f[14])) / TICK };
  };
  const all = new Map<number, Awaited<ReturnType<typeof stat>>>();
  for (const name of await readdir('/proc')) if (/^\d+$/.test(name)) all.set(Number(name), await stat(name));
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of all) if (!mine.has(pid) && mine.has(s.ppid)) mine.add(pid), (grew = true);
  }
  const out: Record<string, number> = { total: 0 };
  for (const pid of mine) {
    const s = all.get(pid)!;
    const add = (kind: string, v: number) => ((out[kind] = (out[kind] ?? 0) + v), (out.total += v));
    add(s.kind, s.own);
    add(pid === process.pid ? 'ffmpeg' : s.kind, s.children);
  }
  return out;
}

try {
  const wav = path.join(dir, 'speech.wav');
  const text = 'Hello! Thanks for calling. I can help you with your order, your account, or anything else you need today.';
  execFileSync('espeak-ng', ['-s', '150', '-w', wav, text]);
  const pcm = new Uint8Array(
    execFileSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-i',
        wav,
        '-af',
        `apad=whole_dur=${seconds}`,
        '-t',
        String(seconds),
        '-ac',
        '1',
        '-ar',
        String(VIDEO_SAMPLE_RATE),
        '-f',
        's16le',
        '-',
      ],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    ),
  );
  // Warm: the browser's launch and the page's bundle are once per process, not per video.
  await renderBrowserVideo({
    avatar: { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 },
    pcm: pcm.subarray(0, 9600),
    width: 512,
    height: 512,
    fps: 30,
    transparent: false,
    idleMotion: true,
    seed: 1,
    mp4Path: path.join(dir, 'warm.mp4'),
  });
  for (const style of ['vrm', 'orb'] as const) {
    for (const transparent of [false, true]) {
      const cpu0 = await cpuSeconds();
      const t0 = performance.now();
      const r = await renderBrowserVideo({
        avatar:
          style === 'vrm' ? { renderStyle: 'vrm', modelPath: STARTER_PATH } : { renderStyle: 'orb', orbColor: '#22d3ee', orbSize: 0.6 },
        pcm,
        width: 512,
        height: 512,
        fps: 30,
        transparent,
        idleMotion: true,
        seed: 1,
        mp4Path: path.join(dir, `${style}.mp4`),
        webmPath: transparent ? path.join(dir, `${style}.webm`) : undefined,
      });
      const wall = (performance.now() - t0) / 1000;
      const cpu1 = await cpuSeconds();
      const cpu = cpu1.total - cpu0.total;
      const parts = Object.keys(cpu1)
        .filter((k) => k !== 'total')
        .map((k) => `${k} ${(cpu1[k] - (cpu0[k] ?? 0)).toFixed(1)}`)
        .join(', ');
      console.log(
        `${style.padEnd(4)} ${transparent ? 'mp4+webm' : 'mp4     '} ${r.frames} frames  ${wall.toFixed(1)} s wall  ${(r.durationSeconds / wall).toFixed(2)}x real time  ` +
          `${cpu.toFixed(1)} CPU s (${(r.durationSeconds / cpu).toFixed(2)}x real time per core; ${parts})`,
      );
    }
  }
} finally {
  await closeHeadlessBrowser();
  await rm(dir, { recursive: true, force: true });
}
