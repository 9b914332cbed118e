// Real Chromium (Debian's): a tagged browser closes as usual, and one that stops answering is killed after the grace.
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { chromiumTag, closeChromium, launchTaggedChromium, pidsWithArgument } from './chromium-process.ts';
import { headlessBrowserSettings } from './headless-browser.ts';

const launch = () => launchTaggedChromium(chromium, { executablePath: headlessBrowserSettings().executablePath, args: ['--no-sandbox'] });

/**
 * The browser's own pid, once it is the one process with the tag: a child the browser has forked carries the browser's
 * command line until it execs its own (a CI run found two just after launch).
 */
async function browserPid(tag: string): Promise<number> {
  let pids: number[] = [];
  await expect.poll(async () => (pids = await pidsWithArgument(tag)), { message: 'one process with the tag' }).toHaveLength(1);
  return pids[0]!;
}

describe('closeChromium', () => {
  it('closes a tagged browser, whose one process carries the tag', async () => {
    const browser = await launch();
    const tag = chromiumTag(browser)!;
    expect(tag).toMatch(/^--avatars-chromium=[0-9a-f-]{36}$/);
    await browserPid(tag);
    await closeChromium(browser);
    expect(browser.isConnected()).toBe(false);
    expect(await pidsWithArgument(tag)).toEqual([]);
  });

  it('kills a browser that does not answer its close, and resolves', async () => {
    const browser = await launch();
    const tag = chromiumTag(browser)!;
    const pid = await browserPid(tag);
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
