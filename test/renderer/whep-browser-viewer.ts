import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { launchTaggedChromium } from '../../src/videos/browser/chromium-process.ts';
import { CHROMIUM_PATH } from '../web/chromium.ts';
import { ROOT_DIR } from '../fixtures.ts';

const WHEP_VIEWER_JS = path.join(ROOT_DIR, 'web', 'live', 'whep-viewer.js');

/** Chromium as a WHEP viewer on a loopback-only host: loopback candidates allowed and not hidden behind mDNS. */
export function launchViewerBrowser(): Promise<Browser> {
  return launchTaggedChromium(chromium, {
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}

/** A <video id="v"> and the live page's own WHEP code (web/live/whep-viewer.js) as `window.connectWhep`. */
async function viewerPage(page: Page): Promise<void> {
  await page.setContent('<video id="v" autoplay playsinline muted></video>');
  await page.addScriptTag({ type: 'module', content: `${await fs.readFile(WHEP_VIEWER_JS, 'utf8')}\nwindow.connectWhep = connectWhep;` });
  await page.waitForFunction('typeof window.connectWhep === "function"');
}

export interface ViewerReport {
  status: number;
  location: string | null;
  framesPresented: number;
  seconds: number;
  width: number;
  height: number;
  framesDecoded: number;
  audioPackets: number;
  /** From just before the offer was posted to the first frame the <video> presented, in the page's clock. */
  firstFrameMs: number;
}

/**
 * A tiny page posts a recvonly offer (with the live page's code) to the WHEP endpoint, plays the answer's stream in a <video>, and counts
 * the frames the video presents (requestVideoFrameCallback) for `seconds`.
 */
export async function watchOverWhep(page: Page, whepUrl: string, token: string, seconds: number): Promise<ViewerReport> {
  await viewerPage(page);
  // A string, not a function: the test's TypeScript transform would add helpers the page does not have.
  const args = JSON.stringify({ whepUrl, token, seconds });
  return page.evaluate(`(${VIEWER_SCRIPT})(${args})`) as Promise<ViewerReport>;
}

const VIEWER_SCRIPT = `async ({ whepUrl, token, seconds }) => {
      const video = document.getElementById('v');
      const { pc, response, postedAt } = await window.connectWhep(whepUrl, token, video);
      const answer = await response.text();
      const location = response.headers.get('Location');
      if (response.status !== 201) return { status: response.status, location, framesPresented: 0, seconds: 0, width: 0, height: 0, framesDecoded: 0, audioPackets: 0, firstFrameMs: 0 };
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      // Count from the first presented frame, for \`seconds\`.
      let framesPresented = 0;
      let first = 0;
      await new Promise((resolve) => {
        const onFrame = () => {
          if (framesPresented === 0) first = performance.now();
          framesPresented++;
          if (performance.now() - first >= seconds * 1000) return resolve();
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
        setTimeout(resolve, seconds * 1000 + 10_000);
      });
      const elapsed = framesPresented > 0 ? (performance.now() - first) / 1000 : 0;
      let framesDecoded = 0;
      let audioPackets = 0;
      (await pc.getStats()).forEach((report) => {
        if (report.type === 'inbound-rtp' && report.kind === 'video') framesDecoded = report.framesDecoded ?? 0;
        if (report.type === 'inbound-rtp' && report.kind === 'audio') audioPackets = report.packetsReceived ?? 0;
      });
      const result = { status: response.status, location, framesPresented, seconds: elapsed, width: video.videoWidth, height: video.videoHeight, framesDecoded, audioPackets, firstFrameMs: first - postedAt };
      pc.close();
      return result;
    }`;

/** A viewer that goes on watching in the background: the times its <video> presented frames, read when asked. */
export interface ContinuousViewer {
  /** Frames presented so far, and the longest wait between two of them (ms) since the first. */
  frames(): Promise<{ count: number; maxGapMs: number }>;
}

/** Posts a WHEP offer with the live page's code and records every presented frame's time until the page closes. */
export async function watchContinuously(page: Page, whepUrl: string, token: string): Promise<ContinuousViewer> {
  await viewerPage(page);
  const status = await page.evaluate(`(async ({ whepUrl, token }) => {
      const video = document.getElementById('v');
      const { pc, response } = await window.connectWhep(whepUrl, token, video);
      if (response.status !== 201) return response.status;
      await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
      window.frameTimes = [];
      const onFrame = () => {
        window.frameTimes.push(performance.now());
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
      return 201;
    })(${JSON.stringify({ whepUrl, token })})`);
  if (status !== 201) throw new Error(`the WHEP offer was answered ${status}`);
  return {
    frames: async () => {
      const times = (await page.evaluate('window.frameTimes')) as number[];
      let maxGapMs = 0;
      for (let i = 1; i < times.length; i++) maxGapMs = Math.max(maxGapMs, times[i]! - times[i - 1]!);
      return { count: times.length, maxGapMs: Math.round(maxGapMs) };
    },
  };
}
