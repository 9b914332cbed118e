/**
 * Browser SDK in headless Chromium (SwiftShader WebGL): frames per second at 512x512 for each VRM fixture and the
 * starter, drawn by the SDK (idle motion, face mixing, frame cap lifted) and by a page with plain three.js + three-vrm
 * (the baseline, same run); time from load() to the first frame; bundle sizes gzipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { VRM_FIXTURES } from '../test/fixtures.ts';
import { launchChromium } from '../test/web/chromium.ts';
import type { PageSdk } from '../test/web/sdk-page-types.ts';
import { startWebTestServer } from '../test/web/web-test-server.ts';
import { buildWeb } from '../web/build.ts';

type Row = { name: string; value: number; unit: string; note?: string };
const MEASURE_MS = 2500;
const WARMUP_MS = 500;

export default async function bench(report: (row: Row) => void): Promise<void> {
  const dist = await mkdtemp(path.join(tmpdir(), 'avatar-bench-'));
  const files = await buildWeb(dist);
  const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
  report({ name: 'web sdk gzip, SDK + three-vrm, three.js external (avatar-sdk.js)', value: kb(files['avatar-sdk.js'].gzipBytes), unit: 'KB', note: 'target < 50' });
  report({ name: 'web sdk gzip, SDK code only (three, three-vrm external)', value: kb(files['avatar-sdk.core.js'].gzipBytes), unit: 'KB' });
  report({ name: 'web sdk gzip, with three.js (avatar-sdk.iife.js)', value: kb(files['avatar-sdk.iife.js'].gzipBytes), unit: 'KB' });

  const server = await startWebTestServer(dist);
  server.add('/plain.html', '<!doctype html><body style="margin:0"><script src="/dist/bench-plain.js"></script></body>', 'text/html');
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const models: Array<[string, string]> = [
      ...Object.entries(VRM_FIXTURES).map(([n, f]): [string, string] => [n, `/vrm/${path.basename(f)}`]),
      ['starter', '/starter.vrm'],
    ];
    const ratios: number[] = [];
    const measureSdk = async (url: string) => {
      const page = await browser!.newPage({ viewport: { width: 512, height: 512 } });
      await page.goto(server.url + '/');
      const r = await page.evaluate(
        async ({ url, warm, ms }) => {
          const w = window as unknown as { Avatars: PageSdk };
          const view = new w.Avatars.AvatarView(document.getElementById('stage')!, { config: { frameRate: 1000 } });
          await view.load({ tier: 'stylized_3d', sourceModel: url, config: { resolution: '512x512' } });
          await new Promise((r) => setTimeout(r, warm));
          const f0 = view.debugState().frames, t0 = performance.now();
          await new Promise((r) => setTimeout(r, ms));
          const st = view.debugState();
          return { frames: st.frames - f0, ms: performance.now() - t0, firstFrameMs: st.timings.firstFrameMs };
        },
        { url, warm: WARMUP_MS, ms: MEASURE_MS },
      );
      await page.close();
      return r;
    };
    const measurePlain = async (url: string) => {
      const page = await browser!.newPage({ viewport: { width: 512, height: 512 } });
      await page.goto(server.url + '/plain.html');
      const r = await page.evaluate(
        async ({ url, warm, ms }) => {
          const w = window as unknown as { benchPlain: { load(u: string, w: number, h: number): Promise<{ firstFrameMs: number }> }; benchPlainState: { frames: number } };
          const first = await w.benchPlain.load(url, 512, 512);
          await new Promise((r) => setTimeout(r, warm));
          const f0 = w.benchPlainState.frames, t0 = performance.now();
          await new Promise((r) => setTimeout(r, ms));
          return { frames: w.benchPlainState.frames - f0, ms: performance.now() - t0, firstFrameMs: first.firstFrameMs };
        },
        { url, warm: WARMUP_MS, ms: MEASURE_MS },
      );
      await page.close();
      return r;
    };
    type Run = { frames: number; ms: number; firstFrameMs: number };
    const combine = (a: Run, b: Run) => ({ fps: ((a.frames + b.frames) * 1000) / (a.ms + b.ms), firstFrameMs: (a.firstFrameMs + b.firstFrameMs) / 2 });
    for (const [name, url] of models) {
      // A-B-B-A order, so load from other processes on the shared cores falls on both sides alike.
      const s1 = await measureSdk(url);
      const p1 = await measurePlain(url);
      const p2 = await measurePlain(url);
      const s2 = await measureSdk(url);
      const s = combine(s1, s2);
      const p = combine(p1, p2);
      const ratio = s.fps / p.fps;
      ratios.push(ratio);
      report({ name: `web fps ${name} 512x512, SDK`, value: round(s.fps), unit: 'fps' });
      report({ name: `web fps ${name} 512x512, plain three-vrm`, value: round(p.fps), unit: 'fps' });
      report({ name: `web fps ratio ${name} (SDK / plain)`, value: round(ratio, 3), unit: 'ratio', note: 'target >= 0.9' });
      report({ name: `web load to first frame ${name}, SDK`, value: Math.round(s.firstFrameMs), unit: 'ms', note: `plain three-vrm: ${Math.round(p.firstFrameMs)} ms` });
    }
    report({ name: 'web fps ratio, lowest over models (SDK / plain)', value: round(Math.min(...ratios), 3), unit: 'ratio', note: 'target >= 0.9' });
  } finally {
    await browser?.close();
    await server.close();
    await rm(dist, { recursive: true, force: true });
  }
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
