// The render page's script: built from source where esbuild is installed, else web/dist/render-page.js (what the API
// image ships, built by web/build.ts), else a sentence saying how to build it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWeb } from '../../web/build.ts';
import { loadRenderPageScript } from '../../src/videos/browser/render-bundle.ts';

let dist: string;
const noEsbuild = () => Promise.reject(new Error("Cannot find package 'esbuild'"));

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'render-bundle-'));
});

afterAll(async () => {
  if (dist) await rm(dist, { recursive: true, force: true });
});

describe('render page script', () => {
  it('is built from web/render with esbuild, and sets window.avatarRender', async () => {
    const script = await loadRenderPageScript();
    expect(script).toContain('avatarRender');
  });

  it('without esbuild, is web/build.ts output (render-page.js, outside the public SDK bundles)', async () => {
    const built = await buildWeb(dist);
    expect(Object.keys(built)).toContain('render-page.js');
    const script = await loadRenderPageScript(noEsbuild, built['render-page.js'].file);
    expect(script).toContain('avatarRender');
    // The public SDK's bundles (and their size budget) carry none of it.
    for (const sdk of ['avatar-sdk.js', 'avatar-sdk.iife.js', 'avatar-sdk.bundled.js'])
      expect(await readFile(built[sdk].file, 'utf8')).not.toContain('avatarRender');
  });

  it('without esbuild or a build, says how to build it', async () => {
    const missing = path.join(dist, 'nothing', 'render-page.js');
    await expect(loadRenderPageScript(noEsbuild, missing)).rejects.toThrow(
      `The video render page has not been built on this server (${missing}); run "npx tsx web/build.ts".`,
    );
  });
});
