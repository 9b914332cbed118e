import path from 'node:path';
import sharp from 'sharp';

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

/**
 * Fetches a background image from its URL (the API hands one the renderer can reach, as it does the portrait's),
 * checks that it is an image and writes it as PNG into `dir`; answers the file's path, or throws a sentence.
 */
export async function fetchBackgroundImage(url: string, dir: string, signal?: AbortSignal): Promise<string> {
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    signal?.throwIfAborted();
    throw new Error(`The background image could not be fetched: ${(error as Error).message}.`);
  }
  if (!response.ok) throw new Error(`Fetching the background image answered HTTP ${response.status}.`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_IMAGE_BYTES) throw new Error(`The background image is larger than ${MAX_IMAGE_BYTES} bytes.`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_IMAGE_BYTES) throw new Error(`The background image is larger than ${MAX_IMAGE_BYTES} bytes.`);
  const file = path.join(dir, 'background.png');
  try {
    await sharp(bytes).rotate().png().toFile(file);
  } catch {
    throw new Error('The background image is not an image this renderer can read (PNG, JPEG, WebP, GIF, AVIF or TIFF).');
  }
  return file;
}
