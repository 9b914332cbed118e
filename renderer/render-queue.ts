/** Runs jobs one after another: one render at a time uses the core, later requests wait their turn. */
export class RenderQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get size(): number {
    return this.pending;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(job);
    this.tail = result
      .catch(() => {})
      .finally(() => {
        this.pending--;
      });
    return result;
  }

  /** Resolves once every queued job has finished. */
  drained(): Promise<void> {
    return this.tail.then(() => {});
  }
}
