/**
 * The offline render page's script (dist/render-page.js; not part of the public SDK bundle): the SDK's own stages
 * (VrmStage, OrbStage on createSceneRenderer) driven frame by frame at the times the server hands it, never by
 * requestAnimationFrame or the wall clock, so one input renders the same frames every time.
 */
import { OrbStage } from '../sdk/orb-stage.ts';
import { createSceneRenderer } from '../sdk/scene-renderer.ts';
import { parseVrm, VrmStage } from '../sdk/vrm-stage.ts';
import { EMOTIONS, VISEME_NAMES, type Emotion, type VisemeName } from '../sdk/avatar-types.ts';
import { FxaaPass } from './fxaa-pass.ts';
import { packedWords, packFrame } from './pack-frame.ts';
import type { RenderEmotions, RenderFrameInput, RenderPageApi, RenderStageSpec } from './render-protocol.ts';

let stage: VrmStage | OrbStage | null = null;
let gl: WebGLRenderingContext | WebGL2RenderingContext | null = null;
/** The software rasterizers' antialiasing, drawn over each frame (null where the canvas multisamples). */
let fxaa: FxaaPass | null = null;
let size = { width: 0, height: 0 };
let emotions: Record<Emotion, number> = { happy: 0, angry: 0, sad: 0, relaxed: 0, surprised: 0 };
let pixels = new Uint8Array(0);
let packed = new Uint32Array(0);
let relay: FrameRelay | null = null;
/** The batches asked for, drawn one after another (the server sends the next while the page draws this one). */
let queue = Promise.resolve();

/** mulberry32: a small seeded generator, so the seed decides the saccades and blinks. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `make` with Math.random seeded: IdleMotion takes Math.random as a default parameter, read when it is made. */
function withSeed<T>(seed: number, make: () => T): T {
  const original = Math.random;
  Math.random = seeded(seed);
  try {
    return make();
  } finally {
    Math.random = original;
  }
}

const api: RenderPageApi = {
  async load(spec: RenderStageSpec, held: RenderEmotions) {
    // Not in the document: nothing composites it to a screen each frame; the frames are read back, not shown.
    const canvas = document.createElement('canvas');
    size = { width: spec.width, height: spec.height };
    pixels = new Uint8Array(spec.width * spec.height * 4);
    packed = new Uint32Array(packedWords(spec.width, spec.height));
    relay = await openRelay();
    emotions = { happy: 0, angry: 0, sad: 0, relaxed: 0, surprised: 0 };
    for (const e of EMOTIONS) emotions[e] = held[e] ?? 0;
    // Always transparent: the server flattens over the background (colour or image) and keeps the alpha for WebM.
    // Made where its stage is: a VRM's inside withSeed, as VrmStage.create made it (three's objects draw their UUIDs
    // from Math.random, so a renderer made before would move the seeded idle motion).
    const sceneRenderer = () => {
      const r = createSceneRenderer(canvas, spec.width, spec.height, true, '#000000', spec.antialias === 'multisample');
      gl = r.renderer.getContext();
      fxaa = spec.antialias === 'fxaa' ? new FxaaPass(r.renderer, spec.width, spec.height) : null;
      return r;
    };
    if (spec.kind === 'orb') {
      stage = new OrbStage(sceneRenderer(), spec.color, spec.size, spec.idle);
      return;
    }
    const response = await fetch(spec.modelUrl);
    if (!response.ok) throw new Error(`The VRM model could not be read (HTTP ${response.status}).`);
    // three's loader speaks of JSON tokens and buffers: the caller gets what is wrong with the file instead.
    const vrm = await parseVrm(await response.arrayBuffer()).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : '';
      throw new Error(/VRM/.test(message) ? message : 'The model is not a VRM file (a glTF binary with VRM data) that three-vrm can read.');
    });
    stage = withSeed(spec.seed, () => new VrmStage(sceneRenderer(), vrm, spec.idle ? 'natural' : 'still'));
  },

  settle(seconds, fps) {
    if (!(stage instanceof VrmStage)) return;
    const delta = 1 / fps;
    for (let i = 0; i < Math.round(seconds * fps); i++) {
      const blink = stage.idle.update(0, stage.camera);
      stage.face.apply({ emotions, visemes: zero(), open: 0, blink });
      stage.vrm.update(delta);
    }
  },

  render(frames: RenderFrameInput[]) {
    const drawn = queue.then(() => draw(frames));
    queue = drawn.catch(() => {});
    return drawn;
  },
};

async function draw(frames: RenderFrameInput[]): Promise<void> {
  if (!stage || !gl || !relay) throw new Error('No stage: load() first.');
  const { width, height } = size;
  for (let f = 0; f < frames.length; f++) {
    const input = frames[f];
    if (stage instanceof VrmStage) {
      const visemes = {} as Record<VisemeName, number>;
      VISEME_NAMES.forEach((v, i) => (visemes[v] = input.visemes[i]));
      stage.frame(input.delta, input.t, { emotions, visemes, open: input.open });
    } else {
      stage.frame(input.delta, input.t, input.open);
    }
    fxaa?.draw();
    // Read in the same task as the draw: the drawing buffer is not preserved past it.
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    await relay.send(packFrame(pixels, width, height, packed));
  }
}

/** Frames handed to the relay and not yet taken by its socket, at most. */
const FRAMES_IN_FLIGHT = 4;

interface FrameRelay {
  /** Sends a copy of the frame (the one buffer is reused); resolves once few enough frames are in flight. */
  send(frame: Uint8Array): Promise<void>;
}

/** The frames' socket, opened in the shared worker frame-relay.ts (served as `frame-relay.js`): see why there. */
function openRelay(): Promise<FrameRelay> {
  const worker = new SharedWorker(new URL('frame-relay.js', location.href).href);
  const port = worker.port;
  let inFlight = 0;
  let closed = false;
  let wake: (() => void) | null = null;
  const relay: FrameRelay = {
    async send(frame) {
      const copy = frame.slice().buffer;
      port.postMessage(copy, [copy]);
      inFlight++;
      while (inFlight > FRAMES_IN_FLIGHT || closed) {
        if (closed) throw new Error('The frames socket closed.');
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
  return new Promise((resolve, reject) => {
    // A relay that never answers would hold the render for ever: a loopback socket opens in milliseconds.
    setTimeout(() => reject(new Error('The frames socket did not open.')), 15_000);
    worker.onerror = () => reject(new Error('The frames relay did not start.'));
    port.onmessage = ({ data }: MessageEvent<string>) => {
      if (data === 'open') resolve(relay);
      if (data === 'sent') inFlight--;
      if (data === 'closed') {
        closed = true;
        reject(new Error('The frames socket did not open.'));
      }
      wake?.();
      wake = null;
    };
    port.postMessage(new URL('frames', location.href).href.replace(/^http/, 'ws'));
  });
}

const zero = (): Record<VisemeName, number> => ({ aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 });

window.avatarRender = api;
