/**
 * requestAnimationFrame capped at a frame rate: a frame is drawn only when a whole period has passed since the last
 * one (with a little slack so a 30 fps cap on a 60 Hz display gets every other vsync, not fewer).
 */
export class FrameLoop {
  private handle = 0;
  private last = -1;
  private running = false;

  constructor(
    private readonly draw: (deltaSeconds: number, now: number) => void,
    private fps = 30,
  ) {}

  setFrameRate(fps: number): void {
    this.fps = fps > 0 ? fps : 30;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.last = -1;
    const tick = (now: number) => {
      if (!this.running) return;
      this.handle = requestAnimationFrame(tick);
      const period = 1000 / this.fps;
      if (this.last >= 0 && now - this.last < period - 2) return;
      const delta = this.last < 0 ? 0 : Math.min(0.1, (now - this.last) / 1000);
      // Keep to the cap's grid so jitter does not slowly lower the rate.
      this.last = this.last < 0 || now - this.last > 2 * period ? now : this.last + period;
      this.draw(delta, now / 1000);
    };
    this.handle = requestAnimationFrame(tick);
  }

  stop(): void {
    this.running = false;
    cancelAnimationFrame(this.handle);
  }
}
