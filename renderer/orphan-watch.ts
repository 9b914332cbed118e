export interface OrphanWatchOptions {
  /** RENDERER_ORPHAN_SECONDS in ms. */
  afterMs: number;
  /** When a request last carried the secret (the API's calls and health probes). */
  lastContactAt(): number;
  /** True while a live session runs: its agent and viewers talk to the renderer, not the API. */
  busy(): boolean;
  /** Called once, with a sentence saying why. */
  orphaned(reason: string): void;
}

/**
 * A local renderer whose API is gone (Ctrl-C of `npm start`, a crash) is otherwise never stopped: once no API has
 * called for `afterMs`, and no live session runs, it stops itself. An API that starts again in time adopts it (its
 * reconciler probes health with the secret every pass); a live session holds the clock at zero until it ends.
 */
export function watchForOrphan(options: OrphanWatchOptions): { stop(): void } {
  const { afterMs } = options;
  let heldUntil = 0;
  const timer = setInterval(
    () => {
      const now = Date.now();
      if (options.busy()) heldUntil = now;
      const quietMs = now - Math.max(options.lastContactAt(), heldUntil);
      if (quietMs < afterMs) return;
      clearInterval(timer);
      const seconds = Math.round(afterMs / 1000);
      options.orphaned(`No API has called for ${seconds} s and no live session runs (RENDERER_ORPHAN_SECONDS=${seconds}).`);
    },
    Math.min(5000, Math.max(200, afterMs / 10)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
