import sharp, { type SharpOptions } from 'sharp';
import { SourceRejected } from '../source-rejected.ts';
import { sniffImage } from './image-type.ts';

/** Uploads above this are refused before any decoding (the HTTP layer enforces it too). */
export const MAX_PORTRAIT_BYTES = 20 * 1024 * 1024;
/** Decompression-bomb guard: a small file may declare a huge canvas; 50 MP is more than any camera portrait. */
export const MAX_PORTRAIT_PIXELS = 50_000_000;
/** The rendering container works on a 512x512 output; 1024 keeps detail for crops and is cheap to analyse. */
export const MAX_IMAGE_SIDE = 1024;

export interface DecodedPortrait {
  /** 8-bit RGB pixels, row-major, EXIF orientation applied, long side at most MAX_IMAGE_SIDE. */
  rgb: Buffer;
  width: number;
  height: number;
  /** The uploaded image's size after orientation, before downscaling. */
  orientedWidth: number;
  orientedHeight: number;
  warnings: string[];
}

const SHARP_FORMATS = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' } as const;
const NOT_AN_IMAGE = 'The file is not a PNG, JPEG or WebP image.';
const CORRUPT = 'The image is corrupt or truncated and could not be decoded.';

/** Decodes an untrusted upload into the RGB pixels that face analysis and the artifact share. Throws SourceRejected. */
export async function decodePortrait(file: Buffer): Promise<DecodedPortrait> {
  if (file.length === 0) throw new SourceRejected('The file is empty.');
  if (file.length > MAX_PORTRAIT_BYTES) {
    throw new SourceRejected(`The file is ${mebibytes(file.length)} MiB; a portrait may be at most 20 MiB.`);
  }
  const type = sniffImage(file);
  if (!type) throw new SourceRejected(NOT_AN_IMAGE);

  // failOn 'error': a truncated or damaged file is refused instead of being decoded into grey pixels, while the
  // mere warnings some cameras' JPEGs raise (stray bytes before a marker) still decode, as browsers show them.
  const options: SharpOptions = { limitInputPixels: MAX_PORTRAIT_PIXELS, failOn: 'error' };
  // The header alone is read here, without the pixel limit, so that a bomb is refused with its declared size.
  const metadata = await sharp(file, { ...options, limitInputPixels: false })
    .metadata()
    .catch((error: unknown) => {
      throw rejectionFor(error);
    });
  if (metadata.format !== SHARP_FORMATS[type]) throw new SourceRejected(NOT_AN_IMAGE);
  if (!metadata.width || !metadata.height) throw new SourceRejected(CORRUPT);
  if (metadata.width * metadata.height > MAX_PORTRAIT_PIXELS) throw new SourceRejected(tooManyPixels(metadata.width, metadata.height));

  const warnings: string[] = [];
  if ((metadata.pages ?? 1) > 1) warnings.push('The image is animated; only its first frame was used.');
  const orientedWidth = metadata.autoOrient?.width ?? metadata.width;
  const orientedHeight = metadata.autoOrient?.height ?? metadata.height;

  const decoded = await sharp(file, options)
    .rotate()
    .resize({ width: MAX_IMAGE_SIDE, height: MAX_IMAGE_SIDE, fit: 'inside', withoutEnlargement: true })
    // Transparent areas become white, as a person viewing the PNG on a page would see them.
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => {
      throw rejectionFor(error);
    });
  const { width, height, channels } = decoded.info;
  if (channels !== 3 || decoded.data.length !== width * height * 3) throw new SourceRejected(CORRUPT);
  if (width !== orientedWidth || height !== orientedHeight) {
    warnings.push(
      `The image was downscaled from ${orientedWidth}x${orientedHeight} to ${width}x${height} pixels for analysis and rendering.`,
    );
  }
  return { rgb: decoded.data, width, height, orientedWidth, orientedHeight, warnings };
}

/** The PNG stored as the artifact's image.png: exactly the pixels the face was found in. */
export async function encodePortraitPng(portrait: DecodedPortrait): Promise<Buffer> {
  return sharp(portrait.rgb, { raw: { width: portrait.width, height: portrait.height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The sentence for a sharp failure on an uploaded image. */
export function rejectionFor(error: unknown): SourceRejected {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new SourceRejected(`The image has too many pixels; a portrait may have at most ${MAX_PORTRAIT_PIXELS / 1_000_000} megapixels.`);
  }
  if (/unsupported image format/i.test(message)) return new SourceRejected(NOT_AN_IMAGE);
  return new SourceRejected(CORRUPT);
}

function tooManyPixels(width: number, height: number): string {
  const megapixels = Math.round((width * height) / 1_000_000);
  return `The image is ${width}x${height} pixels (${megapixels} megapixels); a portrait may have at most ${MAX_PORTRAIT_PIXELS / 1_000_000} megapixels.`;
}

function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
