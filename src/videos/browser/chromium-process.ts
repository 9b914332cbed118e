/**
 * Chromium launched so that it can always be closed. playwright's `close()` waits for the browser process to exit,
 * and a wedged Chromium now and then never does (a test's clean-up waited out its 60 s on a CI run; others report
 * about one close in 200). Each browser carries a tag of its own on its command line, so that past a grace period
 * its process is found in /proc and killed, and the close resolves.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Browser, BrowserType, LaunchOptions } from 'playwright-core';

const TAG_SWITCH = '--avatars-chromium';
const tags = new WeakMap<Browser, string>();

/** `type.launch(options)`, with the browser's tag added to its arguments (Chromium ignores a switch it does not know). */
export async function launchTaggedChromium(type: BrowserType, options: LaunchOptions): Promise<Browser> {
  const tag = `${TAG_SWITCH}=${randomUUID()}`;
  const browser = await type.launch({ ...options, args: [...(options.args ?? []), tag] });
  tags.set(browser, tag);
  return browser;
}

/** Closes the browser; one still running after `graceMs` is killed (SIGKILL), and its close then resolves. */
export async function closeChromium(browser: Browser | null | undefined, graceMs = 10_000): Promise<void> {
  if (!browser) return;
  const closed = browser.close().catch(() => {});
  if (await settlesWithin(closed, graceMs)) return;
  const tag = tags.get(browser);
  if (tag) await killProcessesWithArgument(tag);
  // The killed process's exit ends playwright's close; a browser launched without a tag is left to it.
  await settlesWithin(closed, graceMs);
}

/** Pids of this machine's processes started with `argument` among their arguments (none where /proc is missing). */
export async function pidsWithArgument(argument: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(argument)) pids.push(Number(entry));
  }
  return pids;
}

/** The tag on the command line of a browser that `launchTaggedChromium` launched. */
export function chromiumTag(browser: Browser): string | undefined {
  return tags.get(browser);
}

async function killProcessesWithArgument(argument: string): Promise<void> {
  for (const pid of await pidsWithArgument(argument)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
