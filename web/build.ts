/**
 * Builds the browser SDK with esbuild:
 *   dist/avatar-sdk.js        ESM, `three` left as an import (apps with a bundler share their three.js)
 *   dist/avatar-sdk.iife.js   one file for a <script> tag, global `Avatars`, three.js bundled
 *   dist/avatar-sdk.bundled.js ESM with three.js bundled (a page with no import map)
 *   dist/bench-plain.js       the benchmark's baseline page: three.js + three-vrm and nothing else
 *   dist/console.js           the console page's script (web/console; it uses the iife SDK for <avatar-view>)
 *   dist/render-page.js       the server's offline video render page (web/render; src/videos/browser), not public
 *   dist/frame-relay.js       that page's shared worker, which sends its frames (web/render/frame-relay.ts)
 * Run: npx tsx web/build.ts [outdir]   (default web/dist)
 */
import { build, type BuildOptions } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUTDIR = path.join(WEB_DIR, 'dist');

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export async function buildWeb(outdir = DEFAULT_OUTDIR, minify = true): Promise<Record<string, BuiltFile>> {
  const common: BuildOptions = {
    bundle: true,
    minify,
    sourcemap: false,
    // The browsers are the target: esbuild lowers only what one of them lacks (class fields stay native).
    target: ['chrome100', 'firefox100', 'safari15'],
    legalComments: 'eof',
    logLevel: 'warning',
  };
  const sdk = path.join(WEB_DIR, 'sdk', 'index.ts');
  const outputs: Array<[string, BuildOptions]> = [
    ['avatar-sdk.js', { ...common, entryPoints: [sdk], format: 'esm', external: ['three', 'three/*'] }],
    ['avatar-sdk.bundled.js', { ...common, entryPoints: [sdk], format: 'esm' }],
    ['avatar-sdk.iife.js', { ...common, entryPoints: [sdk], format: 'iife', globalName: 'Avatars' }],
    // Sizes only: the SDK's own code without three-vrm either.
    ['avatar-sdk.core.js', { ...common, entryPoints: [sdk], format: 'esm', external: ['three', 'three/*', '@pixiv/three-vrm'] }],
    ['bench-plain.js', { ...common, entryPoints: [path.join(WEB_DIR, 'bench', 'plain-vrm.ts')], format: 'iife' }],
    ['console.js', { ...common, entryPoints: [path.join(WEB_DIR, 'console', 'main.ts')], format: 'iife' }],
    // The server's offline video page (src/videos/browser), kept out of the public SDK bundles and their size budget.
    ['render-page.js', { ...common, entryPoints: [path.join(WEB_DIR, 'render', 'render-page.ts')], format: 'iife' }],
    ['frame-relay.js', { ...common, entryPoints: [path.join(WEB_DIR, 'render', 'frame-relay.ts')], format: 'iife' }],
  ];
  const result: Record<string, BuiltFile> = {};
  await Promise.all(
    outputs.map(async ([name, options]) => {
      const file = path.join(outdir, name);
      await build({ ...options, outfile: file });
      const bytes = await readFile(file);
      result[name] = { file, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
    }),
  );
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildWeb(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUTDIR);
  for (const [name, f] of Object.entries(files))
    console.log(`${name.padEnd(24)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KB  ${(f.gzipBytes / 1024).toFixed(1).padStart(7)} KB gzip`);
}
