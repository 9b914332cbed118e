import sharp from 'sharp';
import { MAX_PORTRAIT_PIXELS } from './decode-portrait.ts';
import { sniffImage } from './image-type.ts';
import { encodeAsUploaded } from './strip-portrait-metadata.ts';
import type { QuarterTurn } from './upright-portrait.ts';

/**
 * The stored upload (already without metadata, stripPortraitMetadata's output) turned clockwise by quarter turns, in
 * its own format with its colour profile: what preprocessing found upright is what a user downloads as the source.
 */
export async function turnStoredPortrait(file: Buffer, turn: QuarterTurn): Promise<Buffer> {
  const type = sniffImage(file);
  if (!type) throw new Error('The stored portrait is not a PNG, JPEG or WebP image.');
  const image = sharp(file, { limitInputPixels: MAX_PORTRAIT_PIXELS, failOn: 'error' }).rotate(turn).keepIccProfile();
  return encodeAsUploaded(image, type).toBuffer();
}
