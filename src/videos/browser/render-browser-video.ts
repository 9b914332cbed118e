/**
 * Talking videos of stylized_3d avatars (VRM and orb), rendered in the API's headless Chromium with the web SDK's own
 * stages, frame by frame at fixed time steps (deterministic: no requestAnimationFrame, no wall clock). The mouth comes
 * from the speech through the SDK's analyzer, run here in Node; the frames' RGBA (straight alpha) goes to
 * encodeVideo, which writes the MP4 over the background and, when asked, a WebM that keeps the alpha.
 */
import { readFile, rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { VIDEO_SAMPLE_RATE, videoFrameCount } from '../../../contract/videos.ts';
import { weightsOf, type ExpressionRequest } from '../../../contract/expressions.ts';
import { encodeVideo, probeH264Encoder, type VideoBackground } from '../../../renderer/encoder/encode-video.ts';
import type { RenderEmotions, RenderFrameInput, RenderStageSpec } from '../../../web/render/render-protocol.ts';
import { closeHeadlessBrowser, softwareGraphics, withBrowserContext } from './headless-browser.ts';
import { closeRenderServer, openRenderRoute, type RenderRoute } from './page-server.ts';
import { renderPageFiles } from './render-bundle.ts';
import { mouthPerFrame, type FrameMouth } from './speech-face.ts';
import { unpackFrame } from './unpack-frame.ts';

export interface BrowserVideoInput {
  avatar: { renderStyle: 'vrm'; modelPath: string } | { renderStyle: 'orb'; orbColor: string; orbSize: number };
  /** Mono s16le at VIDEO_SAMPLE_RATE (contract/videos.ts). */
  pcm: Uint8Array;
  width: number;
  height: number;
  fps: number;
  expression?: ExpressionRequest;
  background?: { color: string } | { imagePath: string } | null;
  /** Also a WebM with alpha (webmPath). */
  transparent: boolean;
  idleMotion: boolean;
  seed: number;
  mp4Path: string;
  webmPath?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** The SDK viewer's default backdrop: an MP4 with no background asked for looks like the avatar on a page. */
export const DEFAULT_VIDEO_BACKGROUND = '#e2e8f0';
/** Spring bones (hair, clothes) settle this long at time 0 before the first frame, so the clip does not open mid-swing. */
const SETTLE_SECONDS = 1;
/** Frames drawn per call into the page (each call is a round trip; progress is reported between them). */
const BATCH_FRAMES = 15;
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

export async function renderBrowserVideo(input: BrowserVideoInput): Promise<{ frames: number; durationSeconds: number }> {
  check(input);
  const { width, height, fps, signal } = input;
  signal?.throwIfAborted();
  const samples = input.pcm.length >> 1;
  const frameCount = videoFrameCount(samples, fps);
  const mouths = mouthPerFrame(input.pcm, fps, frameCount);
  const [pageFiles, encoder, model] = await Promise.all([
    renderPageFiles(),
    probeH264Encoder(),
    input.avatar.renderStyle === 'vrm' ? readModel(input.avatar.modelPath) : Promise.resolve(null),
  ]);
  const background: VideoBackground = input.background ?? { color: DEFAULT_VIDEO_BACKGROUND };

  const route = await openRenderRoute({
    ...pageFiles,
    ...(model ? { 'model.vrm': { body: model, type: 'model/gltf-binary' } } : {}),
  });
  try {
    await withBrowserContext(async (context) => {
      const page = await context.newPage();
      const abort = () => void page.close().catch(() => {});
      signal?.addEventListener('abort', abort, { once: true });
      try {
        // Known once the browser runs: a software rasterizer smooths edges with FXAA, a GPU multisamples.
        const common = {
          width,
          height,
          idle: input.idleMotion,
          seed: input.seed,
          antialias: softwareGraphics() ? 'fxaa' : 'multisample',
        } as const;
        const spec: RenderStageSpec =
          input.avatar.renderStyle === 'vrm'
            ? { kind: 'vrm', modelUrl: 'model.vrm', ...common }
            : { kind: 'orb', color: input.avatar.orbColor, size: input.avatar.orbSize, ...common };
        await page.goto(`${route.base}index.html`);
        await page.waitForFunction(() => !!window.avatarRender);
        await page
          .evaluate(([s, e]) => window.avatarRender!.load(s, e), [spec, emotionsOf(input.expression)] as const)
          .catch((error) => {
            signal?.throwIfAborted();
            throw new Error(`The avatar could not be loaded for the video: ${pageMessage(error)}`);
          });
        await page.evaluate(([seconds, rate]) => window.avatarRender!.settle(seconds, rate), [SETTLE_SECONDS, fps] as const);
        const frames = framesOf(page, route, mouths, frameCount, width * height * 4, fps, input.onProgress, signal);
        await encodeVideo(frames, {
          width,
          height,
          fps,
          audio: { pcm: input.pcm, sampleRate: VIDEO_SAMPLE_RATE },
          mp4Path: input.mp4Path,
          webmPath: input.transparent ? input.webmPath : undefined,
          background,
          encoder,
          signal,
        });
      } catch (error) {
        // A page closed by the abort fails with Playwright's own words: the caller gets the abort's reason instead.
        signal?.throwIfAborted();
        throw error;
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    }, signal);
  } catch (error) {
    // Nothing half-written is left where the caller looks for the video.
    await Promise.all([input.mp4Path, input.webmPath].map((file) => (file ? rm(file, { force: true }) : null)));
    throw error;
  } finally {
    route.close();
  }
  input.onProgress?.(1);
  return { frames: frameCount, durationSeconds: frameCount / fps };
}

/** Closes the headless browser and the pages' loopback server (server stop); the next render starts them again. */
export async function closeBrowserVideos(): Promise<void> {
  await Promise.all([closeHeadlessBrowser(), closeRenderServer()]);
}

/**
 * Frames from the page in order: it draws a batch per call and sends each frame on its socket as soon as it is read,
 * so Node encodes frame i while the page draws frame i + 1, and finds the next batch's mouths while it draws this one.
 * The first batch is asked for at once, so the page draws while ffmpeg starts.
 */
function framesOf(
  page: Page,
  route: RenderRoute,
  mouths: Iterator<FrameMouth>,
  frameCount: number,
  frameBytes: number,
  fps: number,
  onProgress: ((fraction: number) => void) | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const batchFrom = (from: number): RenderFrameInput[] => {
    const inputs: RenderFrameInput[] = [];
    for (let i = from; i < Math.min(frameCount, from + BATCH_FRAMES); i++)
      inputs.push({ t: i / fps, delta: 1 / fps, ...mouths.next().value! });
    return inputs;
  };
  // One buffer for every frame: encodeVideo is done with a frame (written, or drained) before it asks for the next.
  const frame = Buffer.alloc(frameBytes);
  const draw = (inputs: RenderFrameInput[]) => {
    const drawn = page.evaluate((f) => window.avatarRender!.render(f), inputs);
    drawn.catch((error) => route.fail(error));
    return drawn;
  };
  let inputs = batchFrom(0);
  let drawn = draw(inputs);
  return (async function* () {
    for (let from = 0; from < frameCount; from += BATCH_FRAMES) {
      const count = inputs.length;
      let next: Promise<void> | null = null;
      for (let i = 0; i < count; i++) {
        yield unpackFrame(await route.next(), frameBytes, frame);
        signal?.throwIfAborted();
        // The page is drawing (its first frame came): the next batch's analysis takes Node's turn now, and the page
        // has the batch queued when this one ends, not a round trip later.
        if (i === 0 && from + count < frameCount) next = draw((inputs = batchFrom(from + BATCH_FRAMES)));
      }
      await drawn;
      onProgress?.((from + count) / frameCount);
      if (next) drawn = next;
    }
  })();
}

/**
 * The contract's emotions on a VRM's presets: 'thinking' has no VRM expression and shows as 'relaxed' (a calm face);
 * the orb has no face and ignores them.
 */
function emotionsOf(expression: ExpressionRequest | undefined): RenderEmotions {
  const out: RenderEmotions = {};
  if (!expression) return out;
  for (const [name, weight] of Object.entries(weightsOf(expression))) {
    const preset = name === 'thinking' ? 'relaxed' : (name as keyof RenderEmotions);
    out[preset] = weight;
  }
  return out;
}

/** The page's own sentence out of Playwright's wrapping ("page.evaluate: Error: ...", then a stack). */
function pageMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text
    .split('\n')[0]
    .replace(/^page\.evaluate: /, '')
    .replace(/^(Type|Range|Syntax)?Error: /, '');
  return /[.!?]$/.test(line) ? line : `${line}.`;
}

async function readModel(modelPath: string): Promise<Buffer> {
  try {
    return await readFile(modelPath);
  } catch (error) {
    throw new Error(`The avatar's VRM model could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

/** The caller (the video jobs) validated the user's input; these are the renderer's own limits, as sentences. */
function check(input: BrowserVideoInput): void {
  const { width, height, fps } = input;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2 !== 0)
      throw new RangeError(`${name} must be an even whole number from 16 to 4096.`);
  }
  if (!Number.isFinite(fps) || fps < 1 || fps > 120) throw new RangeError('fps must be from 1 to 120.');
  if (input.pcm.length < 2) throw new RangeError('The speech is empty.');
  if (input.transparent && !input.webmPath) throw new RangeError('A transparent video needs webmPath.');
  if (input.avatar.renderStyle === 'orb') {
    if (!HEX_COLOR.test(input.avatar.orbColor)) throw new RangeError('orbColor must be #rrggbb.');
    if (!(input.avatar.orbSize > 0)) throw new RangeError('orbSize must be above 0.');
  }
  if (input.background && 'color' in input.background && !HEX_COLOR.test(input.background.color))
    throw new RangeError('The background colour must be #rrggbb.');
}
