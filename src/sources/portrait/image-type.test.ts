import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { PORTRAIT_FIXTURES, VRM_FIXTURES } from '../../../test/fixtures.ts';
import { sniffImage } from './image-type.ts';

describe('sniffImage', () => {
  it('recognises PNG, JPEG and WebP from their first bytes', async () => {
    const png = await readFile(PORTRAIT_FIXTURES.astronaut);
    expect(sniffImage(png.subarray(0, 12))).toBe('image/png');
    expect(sniffImage(await sharp(png).jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImage(await sharp(png).webp().toBuffer())).toBe('image/webp');
  });

  it('tells a VRM (glTF binary) from an image', async () => {
    const vrm = await readFile(VRM_FIXTURES.v0);
    expect(sniffImage(vrm.subarray(0, 12))).toBeNull();
  });

  it('refuses formats that are not accepted and too-short heads', async () => {
    const png = await readFile(PORTRAIT_FIXTURES.astronaut);
    expect(sniffImage(await sharp(png).resize(32, 32).gif().toBuffer())).toBeNull();
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(Buffer.from('BM\x36\x00\x00\x00', 'latin1'))).toBeNull();
    // A RIFF file that is not WebP (a WAV header).
    expect(sniffImage(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e]))).toBeNull();
    expect(sniffImage(Buffer.from('RIFF\x24\x00', 'latin1'))).toBeNull();
  });
});
