// The API reference page at `/docs` (swagger UI), in real Chromium: its Content-Security-Policy must not break it,
// and another site must not be able to frame it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../harness/test-server.ts';
import { closeChromium, launchChromium } from './chromium.ts';

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startTestServer('sqlite')]);
});

afterAll(async () => {
  await closeChromium(browser);
  await server?.close();
});

describe('the /docs page', () => {
  it('answers with a CSP, nosniff and no framing', async () => {
    for (const path of ['/docs', '/docs/', '/docs/static/swagger-ui-bundle.js', '/docs/json']) {
      const answer = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(answer.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(answer.headers.get('content-security-policy'), path).toMatch(/script-src 'self'(;|$)/);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('x-frame-options'), path).toBe('DENY');
    }
    // The API's own answers are not the page's business.
    expect((await fetch(`${server.url}/healthz`)).headers.get('content-security-policy')).toBeNull();
  });

  it('renders every operation under its policy, with no violation reported', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`Refused to load (Content Security Policy): ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    await page.goto(`${server.url}/docs/`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Avatars API' }).waitFor();
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    // Opening an operation renders its schemas and the SVG icons that go with them.
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    expect(violations).toEqual([]);
    await page.close();
  });

  it('cannot be framed by another page', async () => {
    const page = await browser.newPage();
    // setContent waits for the page's load event, which waits for its frame's, refused or not.
    await page.setContent(`<iframe id="docs" src="${server.url}/docs/" width="800" height="600"></iframe>`);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    expect(frame.url()).toMatch(/^chrome-error:/);
    expect(await frame.evaluate(() => document.querySelector('#swagger-ui'))).toBeNull();
    await page.close();
  });
});
