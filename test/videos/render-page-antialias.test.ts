// The render page's edges in real headless Chromium on Mesa's llvmpipe: the FXAA pass (web/render/fxaa-pass.ts), which
// videos use on a software rasterizer, smooths an orb's rim about as the canvas's 4x multisampling does, and leaves the
// rest of the frame as it was drawn. An aliased frame has no partly covered pixel at all.
import { afterAll, describe, expect, it } from 'vitest';
import { closeHeadlessBrowser, softwareGraphics, withBrowserContext } from '../../src/videos/browser/headless-browser.ts';
import { closeRenderServer, openRenderRoute } from '../../src/videos/browser/page-server.ts';
import { renderPageFiles } from '../../src/videos/browser/render-bundle.ts';
import { unpackFrame } from '../../src/videos/browser/unpack-frame.ts';
import type { RenderAntialias, RenderStageSpec } from '../../web/render/render-protocol.ts';

const SIZE = 128;

afterAll(async () => {
  await Promise.all([closeHeadlessBrowser(), closeRenderServer()]);
});

/** One frame of a still orb, RGBA top row first with straight alpha, as the page sends it. */
async function orbFrame(antialias: RenderAntialias): Promise<Buffer> {
  const route = await openRenderRoute(await renderPageFiles());
  try {
    return await withBrowserContext(async (context) => {
      const page = await context.newPage();
      await page.goto(`${route.base}index.html`);
      await page.waitForFunction(() => !!window.avatarRender);
      const spec: RenderStageSpec = {
        kind: 'orb',
        color: '#6366f1',
        size: 0.6,
        width: SIZE,
        height: SIZE,
        idle: false,
        seed: 1,
        antialias,
      };
      await page.evaluate((s) => window.avatarRender!.load(s, {}), spec);
      const drawn = page.evaluate(() => window.avatarRender!.render([{ t: 0, delta: 1 / 30, visemes: [0, 0, 0, 0, 0], open: 0 }]));
      const frame = unpackFrame(await route.next(), SIZE * SIZE * 4);
      await drawn;
      return frame;
    });
  } finally {
    route.close();
  }
}

const alphas = (frame: Buffer) => Array.from({ length: SIZE * SIZE }, (_, i) => frame[i * 4 + 3]);

describe('render page antialiasing', () => {
  it('smooths the rim with FXAA about as multisampling does, and changes nothing away from edges', async () => {
    const fxaa = await orbFrame('fxaa');
    const multisample = await orbFrame('multisample');
    expect(softwareGraphics()).toBe(true); // llvmpipe, which scripts/setup.sh installs: the case FXAA is for

    const partly = (frame: Buffer) => alphas(frame).filter((a) => a > 0 && a < 255).length;
    const opaque = (frame: Buffer) => alphas(frame).filter((a) => a === 255).length;
    // A disc about half the frame wide: some 200 pixels of rim, and thousands inside it.
    expect(opaque(multisample)).toBeGreaterThan(1000);
    expect(partly(multisample)).toBeGreaterThan(100);
    expect(partly(fxaa)).toBeGreaterThan(partly(multisample) / 2);
    // The same disc: its area (summed coverage) within 2% of the multisampled one's.
    const area = (frame: Buffer) => alphas(frame).reduce((sum, a) => sum + a / 255, 0);
    expect(Math.abs(area(fxaa) - area(multisample))).toBeLessThan(area(multisample) * 0.02);
    // Inside the disc, well away from the rim, the colour is the one drawn: FXAA blends only across edges.
    const centre = ((SIZE / 2) * SIZE + SIZE / 2) * 4;
    for (let c = 0; c < 3; c++) expect(Math.abs(fxaa[centre + c] - multisample[centre + c])).toBeLessThanOrEqual(2);
  });
});
