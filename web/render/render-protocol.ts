/**
 * What the server (src/videos/browser) and the offline render page (render-page.ts) say to each other: the page draws
 * the frames it is handed, at the times it is handed, and gives their pixels back. Types only: both sides import it.
 */

/**
 * How edges are smoothed: the canvas's own 4x multisampling (the SDK's, and cheap on a GPU), or an FXAA pass over each
 * frame (fxaa-pass.ts), which costs a software rasterizer half as much.
 */
export type RenderAntialias = 'multisample' | 'fxaa';

interface StageCommon {
  width: number;
  height: number;
  idle: boolean;
  seed: number;
  antialias: RenderAntialias;
}

/** The stage to build: a VRM (its bytes fetched from `modelUrl`) or an orb. */
export type RenderStageSpec = ({ kind: 'vrm'; modelUrl: string } | { kind: 'orb'; color: string; size: number }) & StageCommon;

/** One frame to draw: its time, the step since the last, the mouth (visemes and openness) and the held emotions. */
export interface RenderFrameInput {
  t: number;
  delta: number;
  /** aa, ih, ou, ee, oh weights 0..1, in that order. */
  visemes: [number, number, number, number, number];
  open: number;
}

/** The SDK's emotions (web/sdk/avatar-types.ts EMOTIONS) and their held weights. */
export type RenderEmotions = Partial<Record<'happy' | 'angry' | 'sad' | 'relaxed' | 'surprised', number>>;

export interface RenderPageApi {
  /**
   * Builds the stage and opens the frames' WebSocket (`frames`, relative to the page); resolves once both are ready.
   * Throws a sentence when the model will not load.
   */
  load(spec: RenderStageSpec, emotions: RenderEmotions): Promise<void>;
  /** Lets spring bones and the pose settle for `seconds` at time 0 before the first frame (nothing drawn). */
  settle(seconds: number, fps: number): void;
  /**
   * Draws the frames in order and sends each one's pixels on the socket as one binary message, packed by
   * pack-frame.ts (RGBA, top row first, straight alpha, transparent runs as counts). Resolves when all are drawn,
   * waiting whenever the socket holds more than a few frames unsent (back-pressure). A call made before the last one
   * resolved draws after it: the server sends the next batch while the page draws this one.
   */
  render(frames: RenderFrameInput[]): Promise<void>;
}

declare global {
  interface Window {
    avatarRender?: RenderPageApi;
  }
}
