// Real Chromium (Debian's): a tagged browser closes as usual, and one that stops answering is killed after the grace.
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { chromiumTag, closeChromium, launchTaggedChromium, pidsWithArgument } from './chromium-process.ts';
import { headlessBrowserSettings } from './headless-browser.ts';

const launch = () => launchTaggedChromium(chromium, { executablePath: headlessBrowserSettings().executablePath, args: ['--no-sandbox'] });

describe('closeChromium', () => {
  it('closes a tagged browser, whose one process carries the tag', async () => {
    const browser = await launch();
    const tag = chromiumTag(browser)!;
    expect(tag).toMatch(/^--avatars-chromium=[0-9a-f-]{36}$/);
    expect(await pidsWithArgument(tag)).toHaveLength(1);
    await closeChromium(browser);
    expect(browser.isConnected()).toBe(false);
    expect(await pidsWithArgument(tag)).toEqual([]);
  });

  it('kills a browser that does not answer its close, and resolves', async () => {
    const browser = await launch();
    const tag = chromiumTag(browser)!;
    const [pid] = await pidsWithArgument(tag);
    // A stopped process cannot answer playwright's Browser.close, as a wedged one does not.
    process.kill(pid, 'SIGSTOP');
    const started = performance.now();
    await closeChromium(browser, 500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
    expect(await pidsWithArgument(tag)).toEqual([]);
    expect(browser.isConnected()).toBe(false);
  });

  it('takes no browser as nothing to close', async () => {
    await expect(closeChromium(null)).resolves.toBeUndefined();
  });
});
