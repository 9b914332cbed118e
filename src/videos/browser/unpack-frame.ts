/** A frame sent by the render page (web/render/pack-frame.ts) back to width * height RGBA bytes, straight alpha. */
export function unpackFrame(packed: Uint8Array, frameBytes: number): Buffer {
  const out = Buffer.alloc(frameBytes);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  let at = 0;
  let i = 0;
  while (i + 8 <= packed.length) {
    at += view.getUint32(i, true) * 4;
    const bytes = view.getUint32(i + 4, true) * 4;
    i += 8;
    if (at + bytes > frameBytes || i + bytes > packed.length) break;
    out.set(packed.subarray(i, i + bytes), at);
    at += bytes;
    i += bytes;
  }
  if (at !== frameBytes || i !== packed.length) throw new Error('The render page sent a frame that does not cover the picture.');
  return out;
}
