import sharp, { type Sharp } from 'sharp';
import { SourceRejected } from '../source-rejected.ts';
import { MAX_PORTRAIT_PIXELS, rejectionFor } from './decode-portrait.ts';
import type { ImageType } from './portrait-types.ts';

/** High enough that a re-encoded photo is indistinguishable from the upload at the sizes a portrait is shown. */
const LOSSY_QUALITY = 92;

/**
 * The uploaded portrait as it is stored and served: re-encoded in its own format without EXIF, XMP or IPTC (a phone
 * photo's GPS position, camera serial and time), with its EXIF orientation applied to the pixels so it still looks
 * upright, and its colour profile kept so it looks the same. Decoding runs in sharp's (libvips') threads, not the API's.
 * Throws SourceRejected for a file that does not decode.
 */
export async function stripPortraitMetadata(file: Buffer, type: ImageType): Promise<Buffer> {
  // sharp writes no metadata unless asked; rotate() with no angle applies the EXIF orientation.
  const image = sharp(file, { limitInputPixels: MAX_PORTRAIT_PIXELS, failOn: 'error' }).rotate().keepIccProfile();
  try {
    return await encodeAsUploaded(image, type).toBuffer();
  } catch (error) {
    throw error instanceof SourceRejected ? error : rejectionFor(error);
  }
}

/** Re-encodes in the upload's own format, at a quality that keeps it indistinguishable. */
export function encodeAsUploaded(image: Sharp, type: ImageType): Sharp {
  if (type === 'image/png') return image.png();
  if (type === 'image/jpeg') return image.jpeg({ quality: LOSSY_QUALITY, chromaSubsampling: '4:4:4' });
  return image.webp({ quality: LOSSY_QUALITY });
}
