/**
 * The offline render page's script (web/render/render-page.ts). Built here with esbuild when it is installed (a
 * checkout: always the current source), else read from web/dist/render-page.js, which `npx tsx web/build.ts` writes
 * (the API's image builds it in its web stage and has no esbuild at run time). Once per process.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web');
export const RENDER_PAGE_ENTRY = path.join(WEB_DIR, 'render', 'render-page.ts');
export const RENDER_PAGE_BUILT = path.join(WEB_DIR, 'dist', 'render-page.js');

let bundle: Promise<string> | null = null;

export function renderPageScript(): Promise<string> {
  bundle ??= loadRenderPageScript().catch((error) => {
    bundle = null;
    throw error;
  });
  return bundle;
}

/** The script, uncached; `importEsbuild` and `builtPath` are the tests' handles on both ways. */
export async function loadRenderPageScript(
  importEsbuild: () => Promise<typeof import('esbuild')> = () => import('esbuild'),
  builtPath = RENDER_PAGE_BUILT,
): Promise<string> {
  let esbuild: typeof import('esbuild') | null = null;
  try {
    esbuild = await importEsbuild();
  } catch {
    // No esbuild (a production install): the prebuilt file.
  }
  if (esbuild) {
    const result = await esbuild.build({
      entryPoints: [RENDER_PAGE_ENTRY],
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['chrome100'],
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0].text;
  }
  try {
    return await readFile(builtPath, 'utf8');
  } catch {
    throw new Error(`The video render page has not been built on this server (${builtPath}); run "npx tsx web/build.ts".`);
  }
}
