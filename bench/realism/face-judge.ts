/**
 * The independent judge of rendered frames: @vladmandic/face-api's tiny face detector and 68-point landmark net, a
 * model family that portrait preprocessing (MediaPipe's mesh through @vladmandic/human) does not use. It runs in
 * Node on tfjs's wasm backend, whose binary ships in @tensorflow/tfjs-backend-wasm (no native download), and reads
 * its weights from the package's own model/ folder.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';

const require = createRequire(import.meta.url);
const MODEL_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
/** The tiny detector's input side: 224 finds the astronaut's ~110 px face at 0.78 where 160 gives 0.70. */
const DETECTOR_INPUT = 224;

export type Point = [number, number];

/** What the judge sees of one frame's mouth (iBUG 68-point numbering, 0-based: 48-59 outer lips, 60-67 inner). */
export interface MouthMeasure {
  landmarks: Point[];
  detectionScore: number;
  /**
   * Mean gap between the inner lips (61-67, 62-66, 63-65) over the distance between the eyes' centres: how far the
   * mouth is open, whatever the lips' spread (over the mouth's own width, a rounded "oo" would read as more open).
   */
  aperture: number;
  /** The same gap over the mouth's width (48-54), the usual mouth aspect ratio. */
  gapOverWidth: number;
  /** Mouth corner to corner (48-54) over the distance between the eyes' centres: spread against rounded. */
  width: number;
  /** Centre of the 20 lip points and the mouth's width, in pixels, for cropping. */
  centre: Point;
  widthPx: number;
}

export interface FaceJudge {
  /** The face and mouth in an RGBA frame, or null when no face is found. */
  measure(rgba: Uint8Array, width: number, height: number): Promise<MouthMeasure | null>;
}

let loaded: Promise<typeof FaceApi> | null = null;

function loadFaceApi(): Promise<typeof FaceApi> {
  loaded ??= (async () => {
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApi;
    // face-api's types leave these out of its tf, though the bundle re-exports the whole of @tensorflow/tfjs.
    const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
    // wasm is several times faster than tfjs's plain JavaScript kernels; those are the fallback where wasm cannot load.
    if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
    await tf.ready();
    await faceapi.nets.tinyFaceDetector.loadFromDisk(MODEL_DIR);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(MODEL_DIR);
    return faceapi;
  })();
  return loaded;
}

export async function createFaceJudge(): Promise<FaceJudge> {
  const faceapi = await loadFaceApi();
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: DETECTOR_INPUT, scoreThreshold: 0.3 });
  let rgb = new Uint8Array(0);
  return {
    async measure(rgba, width, height) {
      if (rgb.length !== width * height * 3) rgb = new Uint8Array(width * height * 3);
      for (let i = 0, o = 0; o < rgb.length; i += 4, o += 3) {
        rgb[o] = rgba[i];
        rgb[o + 1] = rgba[i + 1];
        rgb[o + 2] = rgba[i + 2];
      }
      const input = faceapi.tf.tensor3d(rgb, [height, width, 3], 'int32');
      try {
        const found = await faceapi.detectSingleFace(input, options).withFaceLandmarks();
        if (!found) return null;
        const landmarks = found.landmarks.positions.map((p): Point => [p.x, p.y]);
        return { ...mouthOf(landmarks), landmarks, detectionScore: found.detection.score };
      } finally {
        input.dispose();
      }
    },
  };
}

const distance = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
const mean = (points: Point[]): Point => [
  points.reduce((s, p) => s + p[0], 0) / points.length,
  points.reduce((s, p) => s + p[1], 0) / points.length,
];

export function mouthOf(lm: Point[]): Omit<MouthMeasure, 'landmarks' | 'detectionScore'> {
  const widthPx = distance(lm[48], lm[54]);
  const gap = (distance(lm[61], lm[67]) + distance(lm[62], lm[66]) + distance(lm[63], lm[65])) / 3;
  const eyes = distance(mean(lm.slice(36, 42)), mean(lm.slice(42, 48)));
  return { aperture: gap / eyes, gapOverWidth: gap / widthPx, width: widthPx / eyes, centre: mean(lm.slice(48, 68)), widthPx };
}
