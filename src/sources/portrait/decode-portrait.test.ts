import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { PORTRAIT_FIXTURES } from '../../../test/fixtures.ts';
import { rejectionOf } from '../../../test/harness/source-rejection.ts';
import { decodePortrait, encodePortraitPng, MAX_PORTRAIT_BYTES } from './decode-portrait.ts';

const NOT_AN_IMAGE = 'The file is not a PNG, JPEG or WebP image.';
const CORRUPT = 'The image is corrupt or truncated and could not be decoded.';

let astronaut: Buffer;
beforeAll(async () => {
  astronaut = await readFile(PORTRAIT_FIXTURES.astronaut);
});

const rejection = (file: Buffer) => rejectionOf(decodePortrait(file));

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A 100-byte PNG whose header declares 100000x100000 RGB pixels: a decompression bomb's shape. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodePortrait', () => {
  it('decodes the astronaut to 512x512 RGB pixels that round-trip through the PNG artifact', async () => {
    const portrait = await decodePortrait(astronaut);
    expect([portrait.width, portrait.height, portrait.orientedWidth, portrait.orientedHeight]).toEqual([512, 512, 512, 512]);
    expect(portrait.rgb.length).toBe(512 * 512 * 3);
    expect(portrait.warnings).toEqual([]);
    const png = await encodePortraitPng(portrait);
    const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(back.info).toMatchObject({ format: 'raw', width: 512, height: 512, channels: 3 });
    expect(back.data.equals(portrait.rgb)).toBe(true);
  });

  it('applies EXIF orientation 6: a 512x400 stored JPEG comes out 400x512', async () => {
    const stored = await sharp(astronaut).resize(512, 400, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const portrait = await decodePortrait(stored);
    expect([portrait.width, portrait.height]).toEqual([400, 512]);
    expect([portrait.orientedWidth, portrait.orientedHeight]).toEqual([400, 512]);
  });

  it('downscales the long side to 1024 pixels and says so', async () => {
    const wide = await sharp(astronaut).resize(3000, 1000, { fit: 'fill' }).webp().toBuffer();
    const portrait = await decodePortrait(wide);
    expect([portrait.width, portrait.height]).toEqual([1024, 341]);
    expect([portrait.orientedWidth, portrait.orientedHeight]).toEqual([3000, 1000]);
    expect(portrait.warnings).toEqual(['The image was downscaled from 3000x1000 to 1024x341 pixels for analysis and rendering.']);
  });

  it('turns grey, transparent and 16-bit images into 8-bit RGB with transparency on white', async () => {
    const greyWithAlpha = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .greyscale()
      .png()
      .toBuffer();
    const grey = await decodePortrait(greyWithAlpha);
    expect(grey.rgb.length).toBe(8 * 8 * 3);
    expect([...grey.rgb.subarray(0, 3)]).toEqual([255, 255, 255]);
    const deep = await sharp(astronaut).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const decoded = await decodePortrait(deep);
    expect(decoded.rgb.length).toBe(512 * 512 * 3);
  });

  it('marks an animated WebP and uses its first frame', async () => {
    const frame = await sharp(astronaut).resize(64, 64).png().toBuffer();
    const flipped = await sharp(frame).flip().png().toBuffer();
    const animated = await sharp([frame, flipped], { join: { animated: true } })
      .webp({ loop: 0 })
      .toBuffer();
    expect((await sharp(animated).metadata()).pages).toBe(2);
    const portrait = await decodePortrait(animated);
    expect([portrait.width, portrait.height]).toEqual([64, 64]);
    expect(portrait.warnings).toEqual(['The image is animated; only its first frame was used.']);
  });

  it('rejects empty, random and unaccepted files as not an image', async () => {
    expect(await rejection(Buffer.alloc(0))).toBe('The file is empty.');
    expect(await rejection(Buffer.from('definitely not an image, just words'))).toBe(NOT_AN_IMAGE);
    expect(await rejection(await sharp(astronaut).resize(32, 32).gif().toBuffer())).toBe(NOT_AN_IMAGE);
    expect(await rejection(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))).toBe(NOT_AN_IMAGE);
    expect(await rejection(Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(60)]))).toBe(NOT_AN_IMAGE);
  });

  it('rejects truncated and damaged images as corrupt', async () => {
    expect(await rejection(astronaut.subarray(0, 2000))).toBe(CORRUPT);
    expect(await rejection(astronaut.subarray(0, astronaut.length - 100))).toBe(CORRUPT);
    expect(await rejection(astronaut.subarray(0, 8))).toBe(CORRUPT);
    const jpeg = await sharp(astronaut).jpeg().toBuffer();
    expect(await rejection(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).toBe(CORRUPT);
    // A PNG signature followed by JPEG bytes: the signature is not enough.
    expect(await rejection(Buffer.concat([astronaut.subarray(0, 8), jpeg]))).toMatch(
      /^(The file is not a PNG, JPEG or WebP image\.|The image is corrupt)/,
    );
  });

  it('still decodes a JPEG with stray bytes before its end marker, as browsers do', async () => {
    const jpeg = await sharp(astronaut).resize(64, 64).jpeg().toBuffer();
    const stray = Buffer.concat([jpeg.subarray(0, jpeg.length - 2), Buffer.from([1, 2, 3]), jpeg.subarray(jpeg.length - 2)]);
    const portrait = await decodePortrait(stray);
    expect([portrait.width, portrait.height]).toEqual([64, 64]);
  });

  it('rejects a tiny PNG that declares 100000x100000 pixels before decoding it', async () => {
    const bomb = pngDeclaring(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2000);
    expect(await rejection(bomb)).toBe('The image is 100000x100000 pixels (10000 megapixels); a portrait may have at most 50 megapixels.');
  });

  it('rejects a real 60-megapixel image that compresses to a small file', async () => {
    const uniform = await sharp({ create: { width: 10_000, height: 6_000, channels: 3, background: '#808080' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(uniform.length).toBeLessThan(1024 * 1024);
    expect(await rejection(uniform)).toBe('The image is 10000x6000 pixels (60 megapixels); a portrait may have at most 50 megapixels.');
  });

  it('rejects a file over 20 MiB without decoding it', async () => {
    const huge = Buffer.concat([astronaut, Buffer.alloc(MAX_PORTRAIT_BYTES + 1 - astronaut.length)]);
    expect(await rejection(huge)).toBe('The file is 20.0 MiB; a portrait may be at most 20 MiB.');
  });
});
