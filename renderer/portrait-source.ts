import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { parseFaceGeometry, type FaceGeometry } from '../contract/face-geometry.ts';
import type { PortraitImage } from './engine/portrait-animator.ts';

/** Reads the preprocessed portrait (image.png and face.json) from paths or http(s) URLs. */
export async function loadPortrait(imageRef: string, faceRef: string): Promise<{ image: PortraitImage; face: FaceGeometry }> {
  const [imageBytes, faceBytes] = await Promise.all([readSource(imageRef), readSource(faceRef)]);
  let faceJson: unknown;
  try {
    faceJson = JSON.parse(faceBytes.toString('utf8'));
  } catch {
    throw new Error(`The face geometry at ${faceRef} is not valid JSON.`);
  }
  const face = parseFaceGeometry(faceJson);
  const { data, info } = await sharp(imageBytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 },
    face,
  };
}

async function readSource(ref: string): Promise<Buffer> {
  if (/^https?:\/\//i.test(ref)) {
    const response = await fetch(ref, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`Fetching ${ref} answered HTTP ${response.status}.`);
    return Buffer.from(await response.arrayBuffer());
  }
  return readFile(ref);
}
