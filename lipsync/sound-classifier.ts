/**
 * What sound a frame is: a small time-delay network fitted by truth/fit-sound-classifier.ts on espeak-ng voices that
 * no test uses. One ReLU layer reads each frame's features (sound-features.ts); the softmax reads that layer's output
 * for this frame and the frames 30 and 60 ms before, so a glide (a diphthong, a w, a formant falling into a stop)
 * reads as one. Its weights ship in the SDK: 4 bits each (a scale per row, biases 8 bits), base64, in sound-weights.ts.
 */
import { INPUTS } from './sound-features.ts';
import { LIPS_HIDDEN, LIPS_WEIGHTS } from './lips-weights.ts';
import { HIDDEN, SOUND_WEIGHTS } from './sound-weights.ts';

/** The five vowels (vowel-space.ts's VISEMES order), a closed-mouth murmur (m, b), f/v, s/sh, th/l, anything else. */
export const SOUND_CLASSES = ['aa', 'ih', 'ou', 'ee', 'oh', 'murmur', 'ff', 'ss', 'th', 'other'] as const;
/** Frames back whose hidden layer the softmax reads (0: this one). */
export const CONTEXT = [0, 3, 6];

export interface Layer {
  rows: number;
  cols: number;
  /** rows x cols, row-major. */
  weights: Float64Array;
  bias: Float64Array;
}

export const LAYER_SHAPE: [number, number][] = [
  [INPUTS, HIDDEN],
  [HIDDEN * CONTEXT.length, SOUND_CLASSES.length],
];

/**
 * The stored bytes: per layer, a scale byte per row and one for the bias (2^((s - 128) / 8) each), the weights as
 * 4-bit values + 8 (two per byte, low half first, row by row), then the bias as signed bytes.
 */
export function decodeLayers(bytes: Uint8Array, shape: [number, number][] = LAYER_SHAPE): Layer[] {
  let at = 0;
  return shape.map(([rows, cols]) => {
    const scales = Array.from(bytes.subarray(at, (at += rows + 1)), (s) => 2 ** ((s - 128) / 8));
    const weights = new Float64Array(rows * cols);
    for (let i = 0; i < rows * cols; i++) weights[i] = (((bytes[at + (i >> 1)] >> ((i & 1) * 4)) & 15) - 8) * scales[Math.floor(i / cols)];
    at += (rows * cols + 1) >> 1;
    const bias = Float64Array.from(bytes.subarray(at, (at += cols)), (b) => ((b << 24) >> 24) * scales[rows]);
    return { rows, cols, weights, bias };
  });
}

export interface SoundClassifier {
  /** Class probabilities (SOUND_CLASSES order) of the frame `input` into `out`; frames come in stream order. */
  classify(input: Float64Array, out: Float64Array): void;
  /** Forgets the frames before. */
  reset(): void;
}

/** out = bias + x · weights (row-major), over x's nonzero entries. */
function affine(layer: Layer, x: Float64Array, out: Float64Array): void {
  out.set(layer.bias);
  for (let i = 0; i < layer.rows; i++) {
    const v = x[i];
    if (v === 0) continue;
    for (let j = 0, row = i * layer.cols; j < layer.cols; j++) out[j] += v * layer.weights[row + j];
  }
}

const bytesOf = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

export function createSoundClassifier(layers: Layer[] = decodeLayers(bytesOf(SOUND_WEIGHTS))): SoundClassifier {
  const [first, second] = layers;
  const hidden = first.cols;
  const depth = CONTEXT[CONTEXT.length - 1] + 1;
  const ring = new Float64Array(depth * hidden); // the hidden layer of the last `depth` frames
  const context = new Float64Array(hidden * CONTEXT.length);
  let at = 0;
  let seen = 0;
  return {
    classify(input, out) {
      const h = ring.subarray(at * hidden, (at + 1) * hidden);
      affine(first, input, h);
      for (let j = 0; j < hidden; j++) h[j] = Math.max(0, h[j]);
      // Before the stream has that many frames, the oldest one stands in.
      CONTEXT.forEach((lag, k) =>
        context.set(ring.subarray(((at - Math.min(lag, seen) + depth) % depth) * hidden).subarray(0, hidden), k * hidden),
      );
      at = (at + 1) % depth;
      seen++;
      affine(second, context, out);
      let max = -Infinity;
      for (let c = 0; c < out.length; c++) max = Math.max(max, out[c]);
      let sum = 0;
      for (let c = 0; c < out.length; c++) sum += out[c] = Math.exp(out[c] - max);
      for (let c = 0; c < out.length; c++) out[c] /= sum;
    },
    reset() {
      at = seen = 0;
    },
  };
}

/**
 * Whether the lips are pressed (p, b, m, from a stop's closure silence to its release): the same network with two
 * classes (apart, pressed), fitted on its own (`fit-sound-classifier.ts lips`). The classifier's murmur misses a p's
 * silent closure; this one reads the formants falling into it over its 60 ms of context.
 */
export function createLipsDetector(): SoundClassifier {
  return createSoundClassifier(
    decodeLayers(bytesOf(LIPS_WEIGHTS), [
      [INPUTS, LIPS_HIDDEN],
      [LIPS_HIDDEN * CONTEXT.length, 2],
    ]),
  );
}
