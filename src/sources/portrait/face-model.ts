import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import { registerFileModelRouter } from './model-file-router.ts';

/** A face as the model found it, in pixels of the image it was given. */
export interface DetectedFace {
  box: [number, number, number, number];
  score: number;
  /** MediaPipe FaceMesh order: 468 mesh points then 10 iris points. */
  mesh: [number, number, number][];
}

/** Below this mesh confidence Human drops a face; the same number gates the blazeface boxes. */
export const MIN_FACE_SCORE = 0.5;
/** Enough to count a group photo's faces and reject it with the right number. */
const MAX_FACES = 10;

const require = createRequire(import.meta.url);
// The package's main file is dist/human.node.js; its root is one level up. Its exports map hides the
// node-wasm build and package.json, hence paths rather than subpath imports.
const HUMAN_DIR = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
/** Where the face models are read from: the files shipped inside the @vladmandic/human npm package. */
export const FACE_MODEL_DIR = path.join(HUMAN_DIR, 'models');
const WASM_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep);

const config: Partial<Config> = {
  backend: 'wasm',
  wasmPath: WASM_DIR,
  modelBasePath: `${pathToFileURL(FACE_MODEL_DIR).href}/`,
  debug: false,
  warmup: 'none',
  cacheModels: false,
  // Each call is an unrelated photo: no reuse of results between calls.
  cacheSensitivity: 0,
  skipAllowed: false,
  filter: { enabled: false } as Config['filter'],
  face: {
    enabled: true,
    // The mesh is computed on a crop turned upright by the eye line: a face rolled 30 degrees then lands within 1.4 px
    // of its upright landmarks (6.9 px without), and one lying on its side is found at all.
    detector: { rotation: true, maxDetected: MAX_FACES, minConfidence: MIN_FACE_SCORE, skipFrames: 0, skipTime: 0, return: false },
    mesh: { enabled: true },
    iris: { enabled: true },
    attention: { enabled: false },
    emotion: { enabled: false },
    description: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    gear: { enabled: false },
  } as Config['face'],
  body: { enabled: false } as Config['body'],
  hand: { enabled: false } as Config['hand'],
  object: { enabled: false } as Config['object'],
  gesture: { enabled: false },
  segmentation: { enabled: false } as Config['segmentation'],
};

let loading: Promise<Human> | null = null;
/** Detection runs one call at a time: Human keeps per-call state and the wasm backend is single-threaded anyway. */
let queue: Promise<unknown> = Promise.resolve();

/** Loads the face models once per process; concurrent callers share the load. A failed load is retried by the next caller. */
export function loadFaceModel(): Promise<Human> {
  loading ??= createHuman().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** Finds faces with their landmarks in 8-bit RGB pixels, in the calling thread (the API calls it in the detection thread). */
export async function detectFaces(rgb: Buffer, width: number, height: number): Promise<DetectedFace[]> {
  const human = await loadFaceModel();
  const run = queue.then(() => detectNow(human, rgb, width, height));
  queue = run.catch(() => undefined);
  return run;
}

async function detectNow(human: Human, rgb: Buffer, width: number, height: number): Promise<DetectedFace[]> {
  const pixels = new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  const input = human.tf.tensor3d(pixels, [height, width, 3], 'int32');
  try {
    const result = await human.detect(input);
    if (result.error) throw new Error(`Face detection failed: ${result.error}`);
    return result.face.map(toDetectedFace);
  } finally {
    human.tf.dispose(input);
  }
}

function toDetectedFace(face: FaceResult): DetectedFace {
  return {
    box: [face.box[0], face.box[1], face.box[2], face.box[3]],
    score: face.score,
    mesh: inMediaPipeOrder(face.mesh.map((point) => [point[0], point[1], point[2] ?? 0])),
  };
}

/**
 * Human appends the iris points of MediaPipe's LEFT eye (the one around 362/263) first; MediaPipe's FaceMesh
 * (face_mesh_connections: RIGHT_IRIS 469-472 beside RIGHT_EYE 33/133) puts the right iris at 468-472.
 * The rendering container reads MediaPipe indices, so the two 5-point blocks are swapped.
 */
function inMediaPipeOrder(mesh: [number, number, number][]): [number, number, number][] {
  if (mesh.length !== 478) return mesh;
  return [...mesh.slice(0, 468), ...mesh.slice(473, 478), ...mesh.slice(468, 473)];
}

async function createHuman(): Promise<Human> {
  const { Human: HumanClass } = require(path.join(HUMAN_DIR, 'dist', 'human.node-wasm.js')) as {
    Human: new (config: Partial<Config>) => Human;
  };
  const human = new HumanClass(config);
  registerFileModelRouter(human.tf);
  await human.load();
  // Human logs a failed model load instead of throwing: check that every model we rely on is there.
  const missing = ['blazeface', 'facemesh', 'iris'].filter((name) => !human.models.models[name]);
  if (missing.length > 0) throw new Error(`The face model could not be loaded (${missing.join(', ')}) from ${FACE_MODEL_DIR}.`);
  return human;
}
