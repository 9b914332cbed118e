// The render page's scripts (the page and its frame relay): built from source where esbuild is installed, else
// web/dist's render-page.js and frame-relay.js (what the API image ships, built by web/build.ts), else a sentence
// saying how to build them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWeb } from '../../web/build.ts';
import { loadRenderPageScripts } from '../../src/videos/browser/render-bundle.ts';

let dist: string;
const noEsbuild = () => Promise.reject(new Error("Cannot find package 'esbuild'"));

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'render-bundle-'));
});

afterAll(async () => {
  if (dist) await rm(dist, { recursive: true, force: true });
});

describe('render page script', () => {
  it('is built from web/render with esbuild: the page sets window.avatarRender, the relay opens the socket', async () => {
    const scripts = await loadRenderPageScripts();
    expect(scripts['render-page.js']).toContain('avatarRender');
    expect(scripts['frame-relay.js']).toContain('onconnect');
    expect(scripts['frame-relay.js']).not.toContain('avatarRender');
  });

  it('without esbuild, is web/build.ts output (render-page.js, outside the public SDK bundles)', async () => {
    const built = await buildWeb(dist);
    expect(Object.keys(built)).toEqual(expect.arrayContaining(['render-page.js', 'frame-relay.js']));
    const scripts = await loadRenderPageScripts(noEsbuild, dist);
    expect(scripts['render-page.js']).toContain('avatarRender');
    expect(scripts['frame-relay.js']).toContain('onconnect');
    // The public SDK's bundles (and their size budget) carry none of it.
    for (const sdk of ['avatar-sdk.js', 'avatar-sdk.iife.js', 'avatar-sdk.bundled.js'])
      expect(await readFile(built[sdk].file, 'utf8')).not.toContain('avatarRender');
  });

  it('without esbuild or a build, says how to build it', async () => {
    const missing = path.join(dist, 'nothing', 'render-page.js');
    await expect(loadRenderPageScripts(noEsbuild, path.dirname(missing))).rejects.toThrow(
      `The video render page has not been built on this server (${missing}); run "npx tsx web/build.ts".`,
    );
  });
});
