/** Debian's Chromium, headless, driven by playwright-core: WebGL through SwiftShader, audio without a gesture. */
import { chromium, type Browser } from 'playwright-core';
import { launchTaggedChromium } from '../../src/videos/browser/chromium-process.ts';

export { closeChromium } from '../../src/videos/browser/chromium-process.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return launchTaggedChromium(chromium, {
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--use-gl=angle',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--autoplay-policy=no-user-gesture-required',
      // Headless windows count as hidden; without these, timers and rAF are throttled and frame counts lie.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}
