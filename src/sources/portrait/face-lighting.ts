import sharp from 'sharp';

/**
 * The face's own pixels at a fixed size, so that the numbers compare between photos: never enlarged (the smallest
 * accepted face is 64 pixels wide), so a small face is not mistaken for a blurred one.
 */
const SAMPLE_SIDE = 64;

export interface FaceLighting {
  /** Mean luma of the face box, 0..255. */
  brightness: number;
  /** Standard deviation of that luma. */
  contrast: number;
  /** Mean absolute Laplacian over the contrast: fine detail relative to the face's tonal range, about 0.2+ in focus. */
  sharpness: number;
}

/** Measures light and focus in the face box of 8-bit RGB pixels. */
export async function measureFaceLighting(
  rgb: Buffer,
  width: number,
  height: number,
  box: readonly [number, number, number, number],
): Promise<FaceLighting> {
  const left = clamp(Math.floor(box[0]), 0, width - 1);
  const top = clamp(Math.floor(box[1]), 0, height - 1);
  const region = {
    left,
    top,
    width: clamp(Math.ceil(box[2]), 1, width - left),
    height: clamp(Math.ceil(box[3]), 1, height - top),
  };
  const luma = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .extract(region)
    .greyscale()
    .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  let sum = 0;
  let squares = 0;
  for (const value of luma) {
    sum += value;
    squares += value * value;
  }
  const brightness = sum / luma.length;
  const contrast = Math.sqrt(Math.max(0, squares / luma.length - brightness * brightness));
  let detail = 0;
  for (let y = 1; y < SAMPLE_SIDE - 1; y++) {
    for (let x = 1; x < SAMPLE_SIDE - 1; x++) {
      const i = y * SAMPLE_SIDE + x;
      detail += Math.abs(4 * luma[i] - luma[i - 1] - luma[i + 1] - luma[i - SAMPLE_SIDE] - luma[i + SAMPLE_SIDE]);
    }
  }
  const meanDetail = detail / (SAMPLE_SIDE - 2) ** 2;
  return { brightness, contrast, sharpness: contrast > 0 ? meanDetail / contrast : 0 };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
