import { Piscina } from 'piscina';
import type { DetectedFace } from './face-model.ts';

interface DetectionTask {
  rgb: Uint8Array;
  width: number;
  height: number;
}

// Human's wasm backend computes in whatever thread calls it: about a second per photo, during which the API's own
// thread would answer nothing. One thread of the same pool library as VRM intake (piscina): detection runs one photo
// at a time anyway (the wasm backend is single-threaded), and the models are loaded once and kept, which is why the
// thread never idles out.
let pool: Piscina<DetectionTask, DetectedFace[]> | null = null;

function detectionPool(): Piscina<DetectionTask, DetectedFace[]> {
  if (pool) return pool;
  pool = new Piscina<DetectionTask, DetectedFace[]>({
    filename: new URL('./face-detection-worker.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  // Failures reach the caller through the task's promise; without a listener an 'error' event would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Finds faces with their landmarks in 8-bit RGB pixels, in the face-detection thread. */
export function detectFacesOffThread(rgb: Buffer, width: number, height: number): Promise<DetectedFace[]> {
  // A compact copy, moved rather than cloned.
  const pixels = new Uint8Array(rgb);
  return detectionPool().run({ rgb: pixels, width, height }, { transferList: [pixels.buffer] });
}

/** Loads the model in the detection thread and runs it once on a blank image, so the first upload does not wait. */
export async function warmUpFaceModel(): Promise<void> {
  await detectFacesOffThread(Buffer.alloc(64 * 64 * 3, 128), 64, 64);
}
