// The console at `/`, driven in real Chromium against a real API server (SQLite) over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PORTRAIT_FIXTURES, ROOT_DIR, VRM_FIXTURES } from '../fixtures.ts';
import { buildWeb } from '../../web/build.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { closeChromium, launchChromium } from './chromium.ts';

const ARTIFACTS = path.join(ROOT_DIR, 'test-artifacts', 'web');

let browser: Browser;
let server: TestServer;
let owner: TestKey;
/** Content-Security-Policy violations any console page reported: the policy must not break the page. */
const cspViolations: string[] = [];

beforeAll(async () => {
  // The server serves web/dist, so the console is built where it will be served.
  [, browser, server] = await Promise.all([buildWeb(), launchChromium(), startTestServer('sqlite')]);
  owner = await server.makeKey('user_console', 'org_console');
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await closeChromium(browser);
  await server?.close();
});

async function openConsole(width = 1100, height = 900): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.goto(`${server.url}/`);
  return page;
}

async function signIn(page: Page, key = owner.key): Promise<void> {
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.getByRole('textbox', { name: 'API key' }).press('Enter');
  await page.locator('#workspace').waitFor({ state: 'visible' });
}

/** Records every text #detail-status shows, so a status that passes quickly is still seen. */
async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenStatuses: string[] }).seenStatuses = seen;
    const el = document.getElementById('detail-status')!;
    new MutationObserver(() => {
      if (seen[seen.length - 1] !== el.textContent) seen.push(el.textContent ?? '');
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
  return () => page.evaluate(() => (window as unknown as { seenStatuses: string[] }).seenStatuses);
}

async function createThroughForm(page: Page, name: string, tier = 'stylized_3d'): Promise<string> {
  await page.locator('#create-name').fill(name);
  await page.locator('#create-tier').selectOption(tier);
  await page.getByRole('button', { name: 'Create avatar' }).click();
  await expect.poll(() => page.locator('#detail-title').textContent()).toBe(name);
  return (await page.locator('#detail-id').textContent())!;
}

describe('console', () => {
  // The page, its stylesheet, the starter model and what is not served: test/api/routes/system/console.test.ts.
  it('serves the built console script and SDK', async () => {
    for (const url of ['/console/console.js', '/sdk/avatar-sdk.iife.js', '/sdk/avatar-sdk.js']) {
      const answer = await fetch(server.url + url);
      expect(answer.status, url).toBe(200);
      expect(Number(answer.headers.get('content-length')), url).toBeGreaterThan(1000);
    }
  });

  it('shows a bad key as the API sentence and keeps the workspace hidden', async () => {
    const page = await openConsole();
    await page.getByRole('textbox', { name: 'API key' }).fill('sk_notarealkey0000000000000000000000');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await expect
      .poll(() => page.locator('#key-form [data-error]').textContent())
      .toBe('The API key is not valid: it is unknown, revoked or expired.');
    expect(await page.locator('#workspace').isHidden()).toBe(true);
    await page.close();
  });

  it('creates a VRM avatar, uploads a fixture and the starter with progress, previews, edits and deletes it', async () => {
    const page = await openConsole();
    await signIn(page);
    expect(await page.locator('#who').textContent()).toBe('Signed in as user_console (org_console)');
    const id = await createThroughForm(page, 'Starter Sam');
    expect(await page.locator('#detail-status').textContent()).toBe('creating');
    const statuses = await recordStatuses(page);

    // A VRM 0.x fixture through the file input; XHR progress events drive the bar.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressTexts: string[] }).progressTexts = seen;
      const label = document.getElementById('upload-label')!;
      new MutationObserver(() => seen.push(label.textContent ?? '')).observe(label, { childList: true });
    });
    await page.locator('#source-file').setInputFiles(VRM_FIXTURES.v0);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    // The server's first upload starts its VRM intake thread (about 2 s on a loaded machine).
    await expect
      .poll(() => page.locator('#upload-label').textContent(), { timeout: 15_000 })
      .toMatch(/^Uploaded EmissionMigration_v0\.106\.0\.vrm \(\d+ KB\)\.$/);
    const progressTexts = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts);
    expect(progressTexts[0]).toBe('Uploading EmissionMigration_v0.106.0.vrm: 0%');
    expect(progressTexts.some((t) => /: 100%$/.test(t))).toBe(true);
    expect(await page.locator('#upload-bar').evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(100);
    await expect.poll(() => page.locator('#detail-status').textContent()).toBe('ready');
    expect(await statuses()).toEqual(['ready']);
    expect(await page.locator(`#avatar-list button[data-id="${id}"] .status`).textContent()).toBe('ready');
    expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body.sourceInfo.vrmVersion).toBe('0.x');

    // The starter replaces it.
    await page.getByRole('button', { name: 'Use the starter avatar' }).click();
    await expect
      .poll(() => page.locator('#upload-label').textContent(), { timeout: 15_000 })
      .toMatch(/^Uploaded starter\.vrm \(\d+ KB\)\.$/);
    const afterStarter = (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
    expect(afterStarter.sourceInfo.vrmVersion).toBe('1.0');
    expect(afterStarter.sourceInfo.expressions).toContain('happy');

    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('#detail-notice').textContent(), { timeout: 20_000 }).toBe('Preview of Starter Sam is showing.');
    await expect
      .poll(
        () =>
          page.evaluate(
            () =>
              (document.querySelector('avatar-view') as unknown as { debugState(): { frames: number } | null }).debugState()?.frames ?? 0,
          ),
        // Software WebGL beside the rest of the suite can take a second or more for the first frames.
        { timeout: 15_000 },
      )
      .toBeGreaterThan(2);
    expect(
      await page.evaluate(
        () => (document.querySelector('avatar-view') as unknown as { avatar: { sourceModel: string } }).avatar.sourceModel,
      ),
    ).toBe(afterStarter.sourceModel);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-vrm-preview.png'), fullPage: true });

    await page.locator('#edit-name').fill('Starter Sam II');
    await page.locator('#edit-frameRate').fill('24');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('#detail-notice').textContent()).toBe('Changes saved.');
    expect(await page.locator(`#avatar-list button[data-id="${id}"] .avatar-name`).textContent()).toBe('Starter Sam II');
    const edited = (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
    expect([edited.name, edited.config.frameRate, edited.config.resolution]).toEqual(['Starter Sam II', 24, '512x512']);

    // Cancelling the confirmation keeps it; confirming deletes it.
    await page.getByRole('button', { name: 'Delete this avatar' }).click();
    await page.keyboard.press('Escape');
    expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).status).toBe(200);
    await page.getByRole('button', { name: 'Delete this avatar' }).click();
    await page.locator('#delete-confirm').click();
    await expect.poll(() => page.locator('#list-notice').textContent()).toBe('Deleted Starter Sam II.');
    expect(await page.locator('#detail').isHidden()).toBe(true);
    expect(await page.locator(`#avatar-list button[data-id="${id}"]`).count()).toBe(0);
    expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).status).toBe(404);
    await page.close();
  });

  it('shows a Tier 2 portrait go from preprocessing to ready, the preview 503 as the API says it, then deploys, plays its MP4 and undeploys', async () => {
    const page = await openConsole();
    await signIn(page);
    const id = await createThroughForm(page, 'Astro', 'animated_portrait');
    expect(await page.locator('#use-starter').isHidden()).toBe(true);
    expect(await page.locator('#detail-deployment').textContent()).toMatch(/^stopped/);
    const statuses = await recordStatuses(page);
    await page.locator('#source-file').setInputFiles(PORTRAIT_FIXTURES.astronaut);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => page.locator('#detail-status').textContent(), { timeout: 45_000 }).toBe('ready');
    const seen = await statuses();
    expect(seen.indexOf('preprocessing')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('ready')).toBeGreaterThan(seen.indexOf('preprocessing'));
    expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body.preprocessed).toBe(true);

    await page.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => page.locator('#detail > [data-error]').textContent())
      .toBe('Avatar rendering container not deployed. Deploy the avatar first.');

    // Deploy: the state is polled from starting to running; then the preview is the renderer's MP4.
    expect(await page.locator('#undeploy').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect
      .poll(() => page.locator('#detail-deployment').textContent(), { timeout: 45_000 })
      .toMatch(/^running, since .+ at http:\/\/127\.0\.0\.1:\d+$/);
    expect(await page.locator('#deploy').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('#detail-notice').textContent(), { timeout: 45_000 }).toBe('Preview of Astro is showing.');
    const video = await page.locator('#preview-stage video').evaluate((v) => {
      const el = v as HTMLVideoElement;
      return { src: el.currentSrc, width: el.videoWidth, height: el.videoHeight, controls: el.controls };
    });
    expect(video).toEqual({
      src: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/blobs\/.+\.mp4$/),
      width: 512,
      height: 512,
      controls: true,
    });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-portrait.png'), fullPage: true });

    await page.getByRole('button', { name: 'Undeploy' }).click();
    await expect.poll(() => page.locator('#detail-deployment').textContent(), { timeout: 30_000 }).toMatch(/^stopped/);
    expect((await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body.renderingEndpoint).toBeNull();
    await page.close();
  });

  it('shows a bad resolution refused with the sentence the API gives', async () => {
    const page = await openConsole();
    await signIn(page);
    await page.locator('#create-name').fill('Bad res');
    await page.locator('#create-resolution').fill('12x12');
    await page.getByRole('button', { name: 'Create avatar' }).click();
    const direct = await server.api('POST', '/api/v1/avatars', {
      key: owner,
      body: { name: 'Bad res', tier: 'stylized_3d', renderStyle: 'vrm', config: { resolution: '12x12', frameRate: 30, idleMotion: true } },
    });
    expect(direct.status).toBe(400);
    await expect.poll(() => page.locator('#create-form [data-error]').textContent()).toBe(direct.body.error);
    expect(direct.body.error).toMatch(/resolution/);
    await page.close();
  });

  it('works from the keyboard alone: key, Tab to the create form, Enter submits', async () => {
    const page = await openConsole();
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    await page.keyboard.type(owner.key);
    await page.keyboard.press('Enter');
    await page.locator('#workspace').waitFor({ state: 'visible' });
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'create-name'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
      if (focused === 'refresh') {
        // The focus ring is visible on keyboard focus.
        expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      }
    }
    expect(focused).toBe('create-name');
    await page.keyboard.type('Keyboard Kay');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#detail-title').textContent()).toBe('Keyboard Kay');
    // Focus moves to the new avatar, so the next Tab continues there.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    await page.close();
  });

  it('is readable at 360 px wide: no horizontal scroll, an orb previews in place', async () => {
    const page = await openConsole(360, 740);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-360-key.png'), fullPage: true });
    await signIn(page);
    await page.locator('#create-name').fill('A rather long avatar name that has to wrap on a phone');
    await page.locator('#create-form').getByRole('radio', { name: 'Orb' }).check();
    await page.locator('#create-orbColor').fill('#e11d48');
    await page.getByRole('button', { name: 'Create avatar' }).click();
    await expect.poll(() => page.locator('#detail-status').textContent()).toBe('ready');
    expect(await page.locator('#source-section').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('#detail-notice').textContent(), { timeout: 20_000 }).toMatch(/is showing\.$/);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.client).toBe(360);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(cspViolations).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-360.png'), fullPage: true });
    await page.close();
  });
});
