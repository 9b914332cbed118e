// Each VRM fixture and the starter load in real Chromium and draw a face where the camera points.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT_DIR, VRM_FIXTURES } from '../fixtures.ts';
import { buildWeb } from '../../web/build.ts';
import { closeChromium, launchChromium } from './chromium.ts';
import type { PageSdk } from './sdk-page-types.ts';
import { startWebTestServer, type WebTestServer } from './web-test-server.ts';
import { centreColour, differingShare } from './page-pixels.ts';

const ARTIFACTS = path.join(ROOT_DIR, 'test-artifacts', 'web');
const BACKGROUND: [number, number, number] = [0x22, 0x44, 0x66];
const BACKGROUND_CSS = '#224466';

let browser: Browser;
let server: WebTestServer;
let page: Page;
let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'avatar-sdk-'));
  [, browser] = await Promise.all([buildWeb(dist), launchChromium()]);
  server = await startWebTestServer(dist);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await closeChromium(browser);
  await server?.close();
  if (dist) await rm(dist, { recursive: true, force: true });
});

async function freshPage(): Promise<Page> {
  await page?.close();
  page = await browser.newPage({ viewport: { width: 512, height: 512 } });
  await page.goto(`${server.url}/`);
  return page;
}

/** Loads an avatar object in a fresh page; returns the debug state after a few frames. */
async function show(avatar: object, options: object = {}) {
  const p = await freshPage();
  return p.evaluate(
    async ({ avatar, options }) => {
      const w = window as unknown as { Avatars: PageSdk; view: unknown };
      const view = new w.Avatars.AvatarView(document.getElementById('stage')!, options);
      w.view = view;
      await view.load(avatar as never);
      while (view.debugState().frames < 5) await new Promise((r) => setTimeout(r, 50));
      return view.debugState();
    },
    { avatar, options },
  );
}

const models: Array<[string, string]> = [
  ...Object.entries(VRM_FIXTURES).map(([name, file]): [string, string] => [name, `/vrm/${path.basename(file)}`]),
  ['starter', '/starter.vrm'],
];

describe('VRM models in Chromium', () => {
  it.each(models)('%s loads and draws the avatar in the centre of the frame', async (name, url) => {
    const state = await show(
      { tier: 'stylized_3d', sourceModel: url, config: { resolution: '384x384', frameRate: 30, idleMotion: true } },
      { background: BACKGROUND_CSS },
    );
    expect(state.kind).toBe('vrm');
    expect(state.canvas).toEqual({ width: 384, height: 384 });
    const shot = await page.locator('canvas').screenshot();
    await writeFile(path.join(ARTIFACTS, `vrm-${name}.png`), shot);
    // The face (or for the test rigs, the upper body) covers a good part of the centre.
    expect(await differingShare(shot, BACKGROUND)).toBeGreaterThan(0.25);
  });

  it('draws on a transparent background when asked', async () => {
    await show({ tier: 'stylized_3d', sourceModel: '/starter.vrm' }, { transparent: true });
    // Page background (white) shows through the canvas corner; the default clear colour #e2e8f0 would not.
    const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 8, height: 8 } });
    expect(await differingShare(shot, [255, 255, 255], 1, 6)).toBe(0);
  });
});

describe('orb style', () => {
  it('draws a sphere of orbColor that fills the centre', async () => {
    const state = await show(
      { tier: 'stylized_3d', renderStyle: 'orb', orbColor: '#ff2200', orbSize: 0.6 },
      { background: BACKGROUND_CSS },
    );
    expect(state.kind).toBe('orb');
    const shot = await page.locator('canvas').screenshot();
    await writeFile(path.join(ARTIFACTS, 'orb.png'), shot);
    const [r, g, b] = await centreColour(shot);
    expect(r).toBeGreaterThan(150);
    expect(g).toBeLessThan(120);
    expect(b).toBeLessThan(100);
    // Corners stay background: the orb is a sphere, not a fill.
    const corner = await page.screenshot({ clip: { x: 2, y: 2, width: 6, height: 6 } });
    expect(await differingShare(corner, BACKGROUND, 1)).toBe(0);
  });
});

describe('loading by id and failures', () => {
  it('fetches the avatar from apiBase with the key, and <avatar-view> shows it', async () => {
    server.addAvatar(
      {
        _id: 'avt_starterAAAAAAAAAAAA',
        tier: 'stylized_3d',
        status: 'ready',
        sourceModel: '/starter.vrm',
        config: { resolution: '256x256', frameRate: 30, idleMotion: true },
      },
      'sk_test',
    );
    const p = await freshPage();
    const result = await p.evaluate(async (base) => {
      const el = document.createElement('avatar-view');
      const loaded = new Promise<unknown>((resolve, reject) => {
        el.addEventListener('loaded', (e) => resolve((e as CustomEvent).detail.avatar._id));
        el.addEventListener('error', (e) => reject(new Error((e as unknown as CustomEvent).detail.message)));
      });
      el.setAttribute('api-base', base);
      el.setAttribute('api-key', 'sk_test');
      el.setAttribute('avatar-id', 'avt_starterAAAAAAAAAAAA');
      document.body.appendChild(el);
      const id = await loaded;
      const state = (el as unknown as { debugState(): { canvas: object } }).debugState();
      return { id, canvas: state.canvas };
    }, server.url);
    expect(result).toEqual({ id: 'avt_starterAAAAAAAAAAAA', canvas: { width: 256, height: 256 } });
  });

  it("reports the API's error sentence for a wrong key, an unknown id and a missing model", async () => {
    const p = await freshPage();
    const errors = await p.evaluate(async (base) => {
      const w = window as unknown as { Avatars: PageSdk };
      const attempt = async (opts: object, avatar: unknown) => {
        const view = new w.Avatars.AvatarView(document.getElementById('stage')!, opts);
        const event = new Promise((resolve) => view.addEventListener('error', (e) => resolve((e as CustomEvent).detail)));
        const rejected = await view.load(avatar as never).then(
          () => null,
          (e: Error) => e.message,
        );
        view.dispose();
        return { rejected, event: await event };
      };
      return [
        await attempt({ apiBase: base, apiKey: 'sk_wrong' }, 'avt_starterAAAAAAAAAAAA'),
        await attempt({ apiBase: base }, 'avt_starterAAAAAAAAAAAA'),
        await attempt({}, { tier: 'stylized_3d', sourceModel: '/vrm/missing.vrm' }),
        await attempt({}, { tier: 'stylized_3d', sourceModel: '/dist/avatar-sdk.iife.js' }),
        await attempt({}, { name: 'no tier' }),
      ];
    }, server.url);
    expect(errors[0]).toEqual({
      rejected: 'Avatar avt_starterAAAAAAAAAAAA was not found.',
      event: { message: 'Avatar avt_starterAAAAAAAAAAAA was not found.', code: 'not-found', status: 404 },
    });
    expect(errors[1].event).toMatchObject({ code: 'unauthorized' });
    expect(errors[2].event).toMatchObject({ status: 404, code: 'http-404' });
    expect(errors[3].rejected).toBeTruthy(); // a JavaScript file is no VRM
    expect(errors[4].event).toMatchObject({ code: 'invalid-avatar' });
  });
});

describe('Tier 2/3 previews', () => {
  it('plays the preview MP4 in a <video>, fetched with POST /preview when loading by id', async () => {
    const mp4 = path.join(dist, 'preview.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=128x128:rate=25:duration=1',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-y',
      mp4,
    ]);
    server.add('/media/preview.mp4', await readFile(mp4), 'video/mp4');
    server.addAvatar({ _id: 'avt_portraitAAAAAAAAAAA', tier: 'animated_portrait', status: 'ready' }, 'sk_test', '/media/preview.mp4');
    server.addAvatar({ _id: 'avt_undeployedAAAAAAAAA', tier: 'realtime_lipsync', status: 'ready' }, 'sk_test');
    const p = await freshPage();
    const r = await p.evaluate(async (base) => {
      const w = window as unknown as { Avatars: PageSdk };
      const view = new w.Avatars.AvatarView(document.getElementById('stage')!, { apiBase: base, apiKey: 'sk_test' });
      await view.load('avt_portraitAAAAAAAAAAA');
      const video = document.querySelector('video')!;
      const shown = { kind: view.debugState().kind, readyState: video.readyState, width: video.videoWidth, src: video.currentSrc };
      const other = new w.Avatars.AvatarView(document.body, { apiBase: base, apiKey: 'sk_test' });
      const failed = await other.load('avt_undeployedAAAAAAAAA').then(
        () => '',
        (e: Error) => e.message,
      );
      return { shown, failed };
    }, server.url);
    expect(r.shown).toMatchObject({ kind: 'video', width: 128, src: `${server.url}/media/preview.mp4` });
    expect(r.shown.readyState).toBeGreaterThanOrEqual(2);
    expect(r.failed).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
  });
});
