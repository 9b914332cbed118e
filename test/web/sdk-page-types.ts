/**
 * The SDK as a test page sees it (`window.Avatars` from avatar-sdk.iife.js). Declared here rather than imported from
 * web/sdk: the SDK is typechecked by web/tsconfig.json (bundler resolution), which three-vrm's typings need.
 */
export interface PageView extends EventTarget {
  load(avatar: unknown): Promise<unknown>;
  speak(source: unknown): Promise<void>;
  setExpression(name: string, weight?: number): void;
  setIdle(mode: string): void;
  dispose(): void;
  debugState(): {
    kind: string;
    frames: number;
    open: number;
    visemes: Record<string, number>;
    expressions: Record<string, number>;
    canvas: { width: number; height: number };
    timings: { loadMs: number; firstFrameMs: number };
  };
  /** three-vrm's VRM. */
  readonly vrm: any;
}

export interface PageSdk {
  AvatarView: new (target: HTMLElement, options?: object) => PageView;
}
