/**
 * The offline render page's scripts: the page (web/render/render-page.ts) and the shared worker that sends its frames
 * (web/render/frame-relay.ts). Built here with esbuild when it is installed (a checkout: always the current source),
 * else read from web/dist, which `npx tsx web/build.ts` writes (the API's image builds it in its web stage and has no
 * esbuild at run time). Once per process.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web');
export const RENDER_BUILT_DIR = path.join(WEB_DIR, 'dist');
/** Each script the render page loads, by the name it is served and built as, and its source. */
const SOURCES = {
  'render-page.js': path.join(WEB_DIR, 'render', 'render-page.ts'),
  'frame-relay.js': path.join(WEB_DIR, 'render', 'frame-relay.ts'),
};
export type RenderScripts = Record<keyof typeof SOURCES, string>;

/**
 * The page that loads them (served as index.html beside them). It loads only what the server serves it: a VRM's
 * textures are embedded, and an external URI in one is refused.
 */
const RENDER_PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>avatar render</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self' blob: data:; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self' blob: data:">
<style>html,body{margin:0;background:transparent}</style></head><body><script src="render-page.js"></script></body></html>`;

let bundle: Promise<RenderScripts> | null = null;

/** The render page as a route serves it (page-server.ts): index.html and the two scripts, by file name. */
export async function renderPageFiles(): Promise<Record<string, { body: string; type: string }>> {
  const scripts = await renderPageScripts();
  return {
    'index.html': { body: RENDER_PAGE_HTML, type: 'text/html' },
    'render-page.js': { body: scripts['render-page.js'], type: 'text/javascript' },
    'frame-relay.js': { body: scripts['frame-relay.js'], type: 'text/javascript' },
  };
}

export function renderPageScripts(): Promise<RenderScripts> {
  bundle ??= loadRenderPageScripts().catch((error) => {
    bundle = null;
    throw error;
  });
  return bundle;
}

/** The scripts, uncached; `importEsbuild` and `builtDir` are the tests' handles on both ways. */
export async function loadRenderPageScripts(
  importEsbuild: () => Promise<typeof import('esbuild')> = () => import('esbuild'),
  builtDir = RENDER_BUILT_DIR,
): Promise<RenderScripts> {
  let esbuild: typeof import('esbuild') | null = null;
  try {
    esbuild = await importEsbuild();
  } catch {
    // No esbuild (a production install): the prebuilt files.
  }
  const scripts = {} as RenderScripts;
  for (const [name, entry] of Object.entries(SOURCES) as [keyof RenderScripts, string][]) {
    if (esbuild) {
      const result = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        format: 'iife',
        target: ['chrome100'],
        write: false,
        logLevel: 'silent',
      });
      scripts[name] = result.outputFiles[0].text;
      continue;
    }
    const built = path.join(builtDir, name);
    try {
      scripts[name] = await readFile(built, 'utf8');
    } catch {
      throw new Error(`The video render page has not been built on this server (${built}); run "npx tsx web/build.ts".`);
    }
  }
  return scripts;
}
