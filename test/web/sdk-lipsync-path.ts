/**
 * The SDK's lip-sync path in real Chromium, against what is heard: each held-out voice speaks the held-out sentences
 * (24 kHz PCM, one speak() each) into one AvatarView, and every drawn frame's visemes are put at the speech time the
 * audio output presents then (AudioContext.getOutputTimestamp). Scored like lipsync/truth/held-out.ts (vowel
 * accuracy on 20 ms frames) at lag 0 and at the lag that scores best (positive: the mouth trails the audio), next to
 * the live path's SpeechPlayout on the same speech.
 * Run: npx tsx test/web/sdk-lipsync-path.ts [sentences per voice]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWeb } from '../../web/build.ts';
import { CLOSED_BELOW, type VisemeFrame } from '../../lipsync/viseme-analyzer.ts';
import { VISEMES, type Viseme } from '../../lipsync/vowel-space.ts';
import { HELD_OUT_SENTENCES, HELD_OUT_VOICES } from '../../lipsync/truth/corpus.ts';
import { buildEspeakHelper, speak, type SpokenText } from '../../lipsync/truth/espeak-truth.ts';
import { alignFrames, type ScoredFrame, scoreVowels } from '../../lipsync/truth/score-visemes.ts';
import { scorePlayout } from '../../lipsync/truth/held-out.ts';
import { phonemeTableOf } from '../../lipsync/truth/phoneme-tables.ts';
import { closeChromium, launchChromium } from './chromium.ts';
import type { PageSdk, PageView } from './sdk-page-types.ts';
import { startWebTestServer } from './web-test-server.ts';

const RATE = 24000;
const FPS = Number(process.env.SDK_LIPSYNC_FPS ?? 30); // the SDK's default frame rate
const STEP = 0.005; // s: the grid the shown mouth is resampled on
/** A drawn frame: the speech time heard when it was drawn, and what it showed. */
type Shown = { at: number; open: number; weights: Record<Viseme, number> };

/** The mouth shown while speech time t is heard, moved `lag` s earlier, on a STEP grid. */
function framesAt(shown: Shown[], duration: number, lag: number): VisemeFrame[] {
  const frames: VisemeFrame[] = [];
  let i = -1;
  for (let t = 0; t < duration; t += STEP) {
    while (i + 1 < shown.length && shown[i + 1].at <= t + lag) i++;
    const s = i >= 0 ? shown[i] : { open: 0, weights: Object.fromEntries(VISEMES.map((v) => [v, 0])) as Record<Viseme, number> };
    const best = VISEMES.reduce((a, b) => (s.weights[b] > s.weights[a] ? b : a));
    frames.push({ time: t, open: s.open, weights: s.weights, viseme: s.open < CLOSED_BELOW ? 'closed' : best });
  }
  return frames;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? HELD_OUT_SENTENCES.length);
  const sentences = HELD_OUT_SENTENCES.slice(0, count);
  buildEspeakHelper();
  const tmp = await mkdtemp(path.join(tmpdir(), 'sdk-lipsync-'));
  const [, browser] = await Promise.all([buildWeb(tmp), launchChromium()]);
  const server = await startWebTestServer(tmp);
  const lags = Array.from({ length: 25 }, (_, i) => (i - 12) * 0.005);
  const pooled = new Map<number, ScoredFrame[]>(lags.map((l) => [l, []]));
  const live: ScoredFrame[] = [];
  try {
    for (const voice of HELD_OUT_VOICES) {
      const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
      await page.addInitScript('window.__name = (f) => f'); // tsx names the functions it passes to the page
      if (process.env.SDK_LIPSYNC_DEBUG) page.on('console', (m) => console.log(m.text()));
      await page.goto(`${server.url}/`);
      await page.evaluate(async (fps) => {
        const w = window as unknown as { Avatars: PageSdk; view: PageView; starts: number[]; delays: DelayNode[] };
        w.starts = [];
        w.delays = [];
        const createDelay = AudioContext.prototype.createDelay;
        AudioContext.prototype.createDelay = function (this: AudioContext, max?: number) {
          const node = createDelay.call(this, max);
          w.delays.push(node);
          return node;
        };
        const start = AudioBufferSourceNode.prototype.start;
        AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, when?: number, ...rest: number[]) {
          w.starts.push(when ?? 0);
          return start.call(this, when, ...rest);
        };
        w.view = new w.Avatars.AvatarView(document.getElementById('stage')!, {});
        await w.view.load({ tier: 'stylized_3d', renderStyle: 'orb', config: { frameRate: fps } });
      }, FPS);
      const perVoice = new Map<number, ScoredFrame[]>(lags.map((l) => [l, []]));
      for (const sentence of sentences) {
        const speech: SpokenText = speak(sentence, { ...voice, sampleRate: RATE });
        const samples = Array.from(speech.samples, (s) => Math.max(-32768, Math.min(32767, Math.round(s * 32768))));
        const shown: Shown[] = await page.evaluate(
          async ({ samples, sampleRate }) => {
            const w = window as unknown as { view: PageView & { audio: AudioContext | null }; starts: number[]; delays: DelayNode[] };
            w.starts.length = 0;
            w.delays.length = 0;
            const raw: Array<{ p: number; ctx: number; open: number; weights: Record<string, number> }> = [];
            let done = false;
            const spoken = w.view.speak({ pcm: [Int16Array.from(samples)], sampleRate }).then(() => (done = true));
            // Registered after the view's loop, so this runs after its draw in each frame.
            const tick = (p: number) => {
              const ctx = w.view.audio;
              if (ctx && !done) {
                const ts = ctx.getOutputTimestamp();
                const heard = (ts.contextTime ?? 0) + (p - (ts.performanceTime ?? p)) / 1000;
                const s = w.view.debugState();
                raw.push({ p, ctx: heard, open: s.open, weights: { ...s.visemes } });
                requestAnimationFrame(tick);
              }
            };
            requestAnimationFrame(tick);
            await spoken;
            // The speech goes out through the SDK's delay (if any): heard that much after it is played.
            const at = (w.starts[0] ?? 0) + (w.delays[0]?.delayTime.value ?? 0);
            const c = w.view.audio!;
            const ts = c.getOutputTimestamp();
            console.log(
              `ctx rate ${c.sampleRate} base ${c.baseLatency} output ${c.outputLatency} current-output ${c.currentTime - (ts.contextTime ?? 0) - (performance.now() - (ts.performanceTime ?? 0)) / 1000}`,
            );
            return raw.map((r) => ({ at: r.ctx - at, open: r.open, weights: r.weights as Record<Viseme, number> }));
          },
          { samples, sampleRate: RATE },
        );
        const duration = speech.samples.length / RATE;
        const table = phonemeTableOf(voice.voice);
        for (const lag of lags) perVoice.get(lag)!.push(...alignFrames(speech, framesAt(shown, duration, lag), table));
        await page.waitForTimeout(300);
      }
      const best = lags.reduce((a, b) => (scoreVowels(perVoice.get(b)!).accuracy > scoreVowels(perVoice.get(a)!).accuracy ? b : a));
      const liveScore = scorePlayout(voice, sentences, RATE).scored;
      live.push(...liveScore);
      console.log(
        `${voice.voice.padEnd(20)} sdk lag 0: ${scoreVowels(perVoice.get(0)!).accuracy.toFixed(3)}  best ${(best * 1000).toFixed(0).padStart(4)} ms: ${scoreVowels(perVoice.get(best)!).accuracy.toFixed(3)}  live: ${scoreVowels(liveScore).accuracy.toFixed(3)}`,
      );
      for (const lag of lags) pooled.get(lag)!.push(...perVoice.get(lag)!);
      await page.close();
    }
    const curve = lags.map((l) => `${(l * 1000).toFixed(0)}:${scoreVowels(pooled.get(l)!).accuracy.toFixed(3)}`);
    const best = lags.reduce((a, b) => (scoreVowels(pooled.get(b)!).accuracy > scoreVowels(pooled.get(a)!).accuracy ? b : a));
    console.log(
      `${'pooled'.padEnd(20)} sdk lag 0: ${scoreVowels(pooled.get(0)!).accuracy.toFixed(3)}  best ${(best * 1000).toFixed(0).padStart(4)} ms: ${scoreVowels(pooled.get(best)!).accuracy.toFixed(3)}  live: ${scoreVowels(live).accuracy.toFixed(3)}`,
    );
    console.log(`accuracy by lag (ms): ${curve.join(' ')}`);
  } finally {
    await closeChromium(browser);
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
