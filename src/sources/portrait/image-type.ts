import type { ImageType } from './portrait-types.ts';

/**
 * Tells an accepted image from anything else by its first bytes, so the upload route can route a file
 * to portrait or VRM intake without trusting the client's content type. 12 bytes are enough.
 */
export function sniffImage(head: Buffer): ImageType | null {
  if (startsWith(head, PNG_SIGNATURE)) return 'image/png';
  // JPEG: SOI marker followed by the start of any marker segment.
  if (startsWith(head, JPEG_SIGNATURE)) return 'image/jpeg';
  // WebP: a RIFF container whose form type is WEBP.
  if (startsWith(head, RIFF) && head.length >= 12 && head.subarray(8, 12).equals(WEBP)) return 'image/webp';
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
const RIFF = Buffer.from('RIFF', 'latin1');
const WEBP = Buffer.from('WEBP', 'latin1');

function startsWith(head: Buffer, signature: Buffer): boolean {
  return head.length >= signature.length && head.subarray(0, signature.length).equals(signature);
}
