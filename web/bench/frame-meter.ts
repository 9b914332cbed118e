/**
 * The benchmark's frame meter, injected into a page before its own scripts (Playwright addInitScript): it wraps
 * requestAnimationFrame so every frame callback is timed (the page's JS work per frame: update and render calls,
 * whoever's code it is), and it can hold a page's frames so two pages take turns on the shared cores instead of
 * competing. Plain JS source, not a function, so no bundler helper leaks into the page.
 *
 * In the page: `window.frameMeter.run(frames)` lets the page draw that many frames and resolves with each frame's
 * callback time in ms and the wall time from the first frame's start to the last one's; between runs the page is
 * held (no frames drawn). `window.frameMeter.hold()` holds it after its first frames (load-to-first-frame).
 */
export const FRAME_METER_SCRIPT = `(() => {
  const raf = window.requestAnimationFrame.bind(window);
  const held = [];
  const meter = { holding: false, want: 0, costs: [], starts: [], done: null };
  const timed = (cb) => (t) => {
    if (meter.holding) { held.push(cb); return; }
    const a = performance.now();
    cb(t);
    const b = performance.now();
    if (meter.want > 0) {
      meter.costs.push(b - a);
      meter.starts.push(a);
      if (--meter.want === 0) {
        meter.holding = true;
        const done = meter.done;
        meter.done = null;
        done({ costs: meter.costs, wallMs: b - meter.starts[0], frames: meter.costs.length });
      }
    }
  };
  window.requestAnimationFrame = (cb) => raf(timed(cb));
  window.frameMeter = {
    hold() { meter.holding = true; },
    run(frames) {
      return new Promise((resolve) => {
        meter.costs = [];
        meter.starts = [];
        meter.want = frames;
        meter.done = resolve;
        meter.holding = false;
        for (const cb of held.splice(0)) raf(timed(cb));
      });
    },
  };
})();`;
