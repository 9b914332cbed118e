/** Where the output frame sits in the portrait: a crop of the output's aspect ratio, then a uniform scale. */
export interface CoverFit {
  cropX: number;
  cropY: number;
  cropWidth: number;
  cropHeight: number;
  /** Output pixels per portrait pixel. */
  scale: number;
}

/** The largest crop of the output's aspect ratio, centred on the face as far as the image allows. */
export function computeCoverFit(
  imageWidth: number,
  imageHeight: number,
  outWidth: number,
  outHeight: number,
  faceCentre: [number, number],
): CoverFit {
  const aspect = outWidth / outHeight;
  let cropWidth = imageWidth;
  let cropHeight = imageWidth / aspect;
  if (cropHeight > imageHeight) {
    cropHeight = imageHeight;
    cropWidth = imageHeight * aspect;
  }
  const cropX = clamp(faceCentre[0] - cropWidth / 2, 0, imageWidth - cropWidth);
  const cropY = clamp(faceCentre[1] - cropHeight / 2, 0, imageHeight - cropHeight);
  return { cropX, cropY, cropWidth, cropHeight, scale: outWidth / cropWidth };
}

/**
 * Resamples the crop into an RGBA frame of the output size with a separable tent filter whose support grows when
 * shrinking, so a downscale averages instead of aliasing. Done once per avatar: the warp then runs in output space.
 */
export function resampleToFit(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  fit: CoverFit,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const xTaps = filterTaps(outWidth, fit.cropX, fit.scale, srcWidth);
  const yTaps = filterTaps(outHeight, fit.cropY, fit.scale, srcHeight);
  // Horizontal pass over every source row into floats, then vertical pass into bytes.
  const mid = new Float32Array(outWidth * srcHeight * 3);
  for (let y = 0; y < srcHeight; y++) {
    const rowBase = y * srcWidth;
    for (let x = 0; x < outWidth; x++) {
      const { start, weights } = xTaps[x];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const p = (rowBase + start + k) * channels;
        const w = weights[k];
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const m = (y * outWidth + x) * 3;
      mid[m] = r;
      mid[m + 1] = g;
      mid[m + 2] = b;
    }
  }
  const out = new Uint8Array(outWidth * outHeight * 4);
  for (let y = 0; y < outHeight; y++) {
    const { start, weights } = yTaps[y];
    for (let x = 0; x < outWidth; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const m = ((start + k) * outWidth + x) * 3;
        const w = weights[k];
        r += mid[m] * w;
        g += mid[m + 1] * w;
        b += mid[m + 2] * w;
      }
      const o = (y * outWidth + x) * 4;
      out[o] = clamp(Math.round(r), 0, 255);
      out[o + 1] = clamp(Math.round(g), 0, 255);
      out[o + 2] = clamp(Math.round(b), 0, 255);
      out[o + 3] = 255;
    }
  }
  return out;
}

function filterTaps(count: number, offset: number, scale: number, size: number) {
  const radius = Math.max(1, 1 / scale);
  const taps: { start: number; weights: Float64Array }[] = [];
  for (let i = 0; i < count; i++) {
    const centre = offset + (i + 0.5) / scale - 0.5;
    const start = Math.max(0, Math.ceil(centre - radius));
    const end = Math.min(size - 1, Math.floor(centre + radius));
    const weights = new Float64Array(Math.max(1, end - start + 1));
    let sum = 0;
    for (let k = start; k <= end; k++) {
      const w = Math.max(0, 1 - Math.abs(k - centre) / radius);
      weights[k - start] = w;
      sum += w;
    }
    if (sum === 0) {
      weights[0] = 1;
      sum = 1;
    }
    for (let k = 0; k < weights.length; k++) weights[k] /= sum;
    taps.push({ start: Math.min(start, size - 1), weights });
  }
  return taps;
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
