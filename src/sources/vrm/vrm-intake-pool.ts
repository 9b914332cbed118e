import os from 'node:os';
import { Piscina } from 'piscina';
import type { VrmReading } from './read-vrm.ts';

// Piscina (5.x, for Node >= 20) rather than hand-made worker_threads: it queues tasks, replaces a thread that died,
// stops a task's thread on an AbortSignal and gives every thread V8 heap limits, which is the whole of what this pool
// needs and what the validator's single thread had to write by hand.

/** One core stays with the API's own thread: on two cores, one intake thread. */
export const VRM_INTAKE_THREADS = Math.max(1, Math.min(4, os.availableParallelism() - 1));
/** Reading a model within the element limits takes well under a second; past this the thread is stopped. */
export const VRM_READ_TIMEOUT_MS = 30_000;
/** A thread's JavaScript heap: several times what a 16 MiB JSON chunk within the limits parses into. */
export const VRM_READ_HEAP_MB = 512;
/** An idle thread beyond the first ends, so the memory a large model took goes back to the system. */
const IDLE_MS = 15_000;

let pool: Piscina<Uint8Array, VrmReading> | null = null;

function intakePool(): Piscina<Uint8Array, VrmReading> {
  if (pool) return pool;
  pool = new Piscina<Uint8Array, VrmReading>({
    filename: new URL('./vrm-intake-worker.mjs', import.meta.url).href,
    // One thread stays once the pool exists: starting one (a worker loading the TypeScript readers) takes about 2 s,
    // which every upload after 15 s of quiet paid when all threads could end (0.4 s before the pool).
    minThreads: 1,
    maxThreads: VRM_INTAKE_THREADS,
    idleTimeout: IDLE_MS,
    resourceLimits: { maxOldGenerationSizeMb: VRM_READ_HEAP_MB },
  });
  // Failures reach the caller through the task's promise; without a listener an 'error' event would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Reads a VRM's container, JSON and VRM sections in the intake pool. A thread that runs out of time or memory on a
 * file is stopped and the file refused; any other failure (the pool could not start) is the server's.
 */
export async function readVrmOffThread(file: Buffer): Promise<VrmReading> {
  // A compact copy, moved rather than cloned: the caller's buffer may be a view into a larger one, and the caller keeps
  // it. set() is one memcpy; new Uint8Array(buffer) copied byte by byte (16 ms for 15 MB in the API's thread).
  const bytes = new Uint8Array(file.length);
  bytes.set(file);
  try {
    return await intakePool().run(bytes, { transferList: [bytes.buffer], signal: AbortSignal.timeout(VRM_READ_TIMEOUT_MS) });
  } catch (error) {
    const { name, code } = error as { name?: string; code?: string };
    if (name === 'AbortError' || name === 'TimeoutError') {
      return { refused: `Reading the model took longer than ${VRM_READ_TIMEOUT_MS / 1000} s; the file is refused.` };
    }
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return { refused: `Reading the model needed more than ${VRM_READ_HEAP_MB} MiB of memory; the file is refused.` };
    }
    throw error;
  }
}
