/**
 * A frame sent by the render page (web/render/pack-frame.ts) back to width * height RGBA bytes, straight alpha, into
 * `out` when given (reused frame after frame: a megabyte of garbage a frame made Node's collector take up to a tenth
 * of the render), else into a new buffer.
 */
export function unpackFrame(packed: Uint8Array, frameBytes: number, out: Buffer = Buffer.alloc(frameBytes)): Buffer {
  if (out.length !== frameBytes) throw new RangeError(`The frame buffer has ${out.length} bytes, not ${frameBytes}.`);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  let at = 0;
  let i = 0;
  while (i + 8 <= packed.length) {
    const clear = view.getUint32(i, true) * 4;
    const bytes = view.getUint32(i + 4, true) * 4;
    i += 8;
    if (at + clear + bytes > frameBytes || i + bytes > packed.length) throw new Error(NOT_COVERED);
    out.fill(0, at, at + clear);
    at += clear;
    out.set(packed.subarray(i, i + bytes), at);
    at += bytes;
    i += bytes;
  }
  if (at !== frameBytes || i !== packed.length) throw new Error(NOT_COVERED);
  return out;
}

const NOT_COVERED = 'The render page sent a frame that does not cover the picture.';
