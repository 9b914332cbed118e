/**
 * The API's one headless Chromium (Debian's, driven by playwright-core) for stylized_3d videos: launched on the first
 * render, reused by every later one, relaunched if it dies, closed with the server. Renders take a page each, at most
 * `maxPages` at once; the others wait their turn.
 */
import { access, constants } from 'node:fs/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { closeChromium, launchTaggedChromium } from './chromium-process.ts';

export interface HeadlessBrowserSettings {
  /** Chromium's executable (CHROMIUM_PATH, default /usr/bin/chromium). */
  executablePath: string;
  /** Renders (pages) at once in this process (VIDEO_BROWSER_PAGES, default 2). */
  maxPages: number;
}

/** A render cannot start because Chromium (or playwright-core) is not there; `message` says how to install it. */
export class ChromiumMissing extends Error {
  readonly code = 'chromium-missing';
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumMissing';
  }
}

const settings: HeadlessBrowserSettings = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  maxPages: positiveInt(process.env.VIDEO_BROWSER_PAGES, 2),
};

let browser: Promise<Browser> | null = null;
let active = 0;
const waiting: Array<() => void> = [];

/** Changes the executable or the page bound (the server passes its configuration); applies to the next launch. */
export function configureHeadlessBrowser(next: Partial<HeadlessBrowserSettings>): void {
  if (next.executablePath) settings.executablePath = next.executablePath;
  if (next.maxPages && next.maxPages > 0) settings.maxPages = Math.floor(next.maxPages);
}

export function headlessBrowserSettings(): Readonly<HeadlessBrowserSettings> {
  return { ...settings };
}

/**
 * Runs `use` with a fresh browser context (its own routes, storage and pages) once a page slot is free, and closes
 * the context after, whatever happens. An aborted `signal` stops waiting for a slot.
 */
export async function withBrowserContext<T>(use: (context: BrowserContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
  await takeSlot(signal);
  let context: BrowserContext | null = null;
  try {
    context = await newContext();
    return await use(context);
  } finally {
    await context?.close().catch(() => {});
    releaseSlot();
  }
}

/** A context of the running browser, or of a new one when it died before its 'disconnected' was heard. */
async function newContext(): Promise<BrowserContext> {
  const options = { viewport: { width: 64, height: 64 }, serviceWorkers: 'block' } as const;
  const current = browser;
  const b = await launched();
  try {
    if (b.isConnected()) return await b.newContext(options);
  } catch (error) {
    if (b.isConnected()) throw error;
  }
  if (browser === current) browser = null;
  return (await launched()).newContext(options);
}

/** Closes the browser (server stop), killing one that does not exit; a later render launches a new one. */
export async function closeHeadlessBrowser(): Promise<void> {
  const current = browser;
  browser = null;
  if (current) await closeChromium(await current.catch(() => null));
}

function launched(): Promise<Browser> {
  if (browser) return browser;
  const current: Promise<Browser> = launch().then(
    (b) => {
      // A crashed browser is forgotten, so the next render launches another; a later one is left alone.
      b.on('disconnected', () => {
        if (browser === current) browser = null;
      });
      return b;
    },
    (error) => {
      if (browser === current) browser = null;
      throw error;
    },
  );
  browser = current;
  return current;
}

async function launch(): Promise<Browser> {
  const executablePath = settings.executablePath;
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new ChromiumMissing(
      `Chromium was not found at ${executablePath}: stylized_3d videos render in headless Chromium; install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new ChromiumMissing('playwright-core is not installed: stylized_3d videos drive Chromium with it (npm install playwright-core).');
  }
  // WebGL through the machine's EGL first: on a server without a GPU that is Mesa's llvmpipe, which draws a VRM frame
  // in about half the time of Chromium's own SwiftShader (measured: 0.6x real time with SwiftShader, 1.0-1.4x with
  // llvmpipe, 512x512/30 on two cores). Where EGL gives no WebGL 2 (no Mesa), SwiftShader.
  const egl = await launchTaggedChromium(chromium, { executablePath, args: [...EGL_GRAPHICS, ...COMMON_ARGS] });
  graphics = await webglRenderer(egl);
  if (graphics !== null) return egl;
  await closeChromium(egl);
  const swiftshader = await launchTaggedChromium(chromium, { executablePath, args: [...SWIFTSHADER_GRAPHICS, ...COMMON_ARGS] });
  graphics = await webglRenderer(swiftshader);
  return swiftshader;
}

const EGL_GRAPHICS = ['--use-angle=gl-egl'];
const SWIFTSHADER_GRAPHICS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const COMMON_ARGS = [
  '--no-sandbox',
  '--use-gl=angle',
  '--ignore-gpu-blocklist',
  // GPU work on a thread of the browser, not a process of its own: each frame's read-back skips a process hop
  // (measured: the same CPU, about 1.5x the frames per second).
  '--in-process-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--mute-audio',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

let graphics: string | null = null;

/** The WebGL renderer the browser draws with ("ANGLE (Mesa, llvmpipe ...)"), null before the first launch. */
export function headlessBrowserGraphics(): string | null {
  return graphics;
}

/** Whether that renderer draws on the CPU (Mesa's llvmpipe or softpipe, SwiftShader), where multisampling is dear. */
export function softwareGraphics(): boolean {
  return /llvmpipe|softpipe|swiftshader/i.test(graphics ?? '');
}

/** The WebGL 2 renderer a blank page of `b` gets, or null where it gets none (the backend did not start). */
async function webglRenderer(b: Browser): Promise<string | null> {
  const context = await b.newContext();
  try {
    const page = await context.newPage();
    return await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : null;
    });
  } catch {
    return null;
  } finally {
    await context.close().catch(() => {});
  }
}

function takeSlot(signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (active < settings.maxPages) {
    active++;
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const go = () => {
      signal?.removeEventListener('abort', abort);
      active++;
      resolve();
    };
    const abort = () => {
      const i = waiting.indexOf(go);
      if (i >= 0) waiting.splice(i, 1);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
    waiting.push(go);
  });
}

function releaseSlot(): void {
  active--;
  if (active < settings.maxPages) waiting.shift()?.();
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
