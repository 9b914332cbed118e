/**
 * Cuts a stream of samples, pushed in chunks of any size, into overlapping windows: window k holds samples
 * [k*hop, k*hop + length). The result does not depend on how the stream was chunked.
 * Non-finite samples (NaN, ±Infinity) become 0 and samples are clamped to [-1, 1] so one bad value cannot poison
 * the running statistics downstream.
 */
export interface SampleFramer {
  push(samples: ArrayLike<number>, onWindow: (window: Float64Array, index: number) => void): void;
  reset(): void;
}

export function createSampleFramer(length: number, hop: number): SampleFramer {
  const ring = new Float64Array(length);
  const window = new Float64Array(length);
  let write = 0; // next ring position
  let total = 0; // samples seen
  let index = 0; // next window index
  return {
    push(samples, onWindow) {
      for (let i = 0; i < samples.length; i++) {
        let s = samples[i];
        if (!Number.isFinite(s)) s = 0;
        else if (s > 1) s = 1;
        else if (s < -1) s = -1;
        ring[write] = s;
        write = write + 1 === length ? 0 : write + 1;
        total++;
        if (total === index * hop + length) {
          // Oldest sample sits at `write`.
          window.set(ring.subarray(write), 0);
          window.set(ring.subarray(0, write), length - write);
          onWindow(window, index);
          index++;
        }
      }
    },
    reset() {
      ring.fill(0);
      write = 0;
      total = 0;
      index = 0;
    },
  };
}
