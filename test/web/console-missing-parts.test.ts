// The console's notice of a missing rendering part, in real Chromium against `avatars serve` in its own process with
// ffmpeg hidden from its PATH (test/reliability/harness/missing-parts.ts); and no notice where every part is there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT_DIR } from '../fixtures.ts';
import { buildWeb } from '../../web/build.ts';
import { FFMPEG_MISSING } from '../../renderer/encoder/ffmpeg-part.ts';
import { startApiWithoutFfmpeg, type ApiWithoutFfmpeg } from '../reliability/harness/missing-parts.ts';
import { startTestServer, type TestServer } from '../harness/test-server.ts';
import { closeChromium, launchChromium } from './chromium.ts';

const ARTIFACTS = path.join(ROOT_DIR, 'test-artifacts', 'web');

let browser: Browser;
let withoutFfmpeg: ApiWithoutFfmpeg;
let complete: TestServer;

beforeAll(async () => {
  // The servers serve web/dist, so the console is built where it will be served.
  [, browser, withoutFfmpeg, complete] = await Promise.all([
    buildWeb(),
    launchChromium(),
    startApiWithoutFfmpeg(),
    startTestServer('sqlite'),
  ]);
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await closeChromium(browser);
  await withoutFfmpeg?.remove();
  await complete?.close();
});

/** Resolves once /readyz says the rendering parts were checked (a few seconds after start). */
async function partsChecked(url: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const body = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, { ok: boolean | null }> };
        return Object.values(body.checks).some((check) => check.ok === null);
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBe(false);
}

describe('console notice of a missing rendering part', () => {
  it('says, before any key is given, that Tier 2/3 rendering misses ffmpeg, why, and that Tier 1 works', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // Opened at once: the notice appears when the server's check ends, the page asking again meanwhile.
    await page.goto(`${withoutFfmpeg.server.url}/`);
    const notice = page.getByRole('status').filter({ hasText: 'Part of Tier 2/3 rendering is missing on this server.' });
    await notice.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await notice.textContent();
    expect(text).toContain(FFMPEG_MISSING.notFound);
    expect(text).toContain('Tier 1 (VRM and orb) avatars work as usual.');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-missing-ffmpeg.png') });
    await page.close();
  }, 90_000);

  it('shows no notice on a server that has every part', async () => {
    await partsChecked(complete.url);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${complete.url}/`);
    await page.waitForLoadState('networkidle');
    expect(await page.locator('#server-notice').isHidden()).toBe(true);
    await page.close();
  }, 90_000);
});
