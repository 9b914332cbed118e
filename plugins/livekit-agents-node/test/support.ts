import { initializeLogger } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { ReadableStream } from 'node:stream/web';

/**
 * agents-js's AvatarSession base class takes its logger when it is made, and the framework's logger exists only once
 * initialized (its worker does it; a test or a script must). Warnings and errors only, so the tests' output stays
 * readable.
 */
export function useAgentsLogger(): void {
  initializeLogger({ pretty: false, level: 'warn' });
}

/** Rejects with `what` in its message when `promise` does not settle within `ms`: a failure, never a hang. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `done` every 20 ms until it holds; fails with `what` after `ms`. */
export async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** PCM16 LE mono speech as a TTS would hand it to the agent session: 20 ms AudioFrames, as fast as they are read. */
export function speechFrames(pcm: Uint8Array, sampleRate: number): ReadableStream<AudioFrame> {
  const samplesPerFrame = sampleRate / 50;
  const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength - (pcm.byteLength % 2)));
  let offset = 0;
  return new ReadableStream<AudioFrame>({
    pull(controller) {
      if (offset >= samples.length) {
        controller.close();
        return;
      }
      const chunk = samples.slice(offset, offset + samplesPerFrame);
      offset += samplesPerFrame;
      controller.enqueue(new AudioFrame(chunk, sampleRate, 1, chunk.length));
    },
  });
}

/** Node 20's web streams are async-iterable, but TypeScript's lib here does not say so. */
export async function* iterate<T>(stream: globalThis.ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
