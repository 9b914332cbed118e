/** Little-endian signed 16-bit mono PCM to floats in [-1, 1). A trailing odd byte (a split sample) is ignored. */
export function pcm16ToFloat32(bytes: Uint8Array): Float32Array {
  const count = bytes.length >> 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = bytes[2 * i] | (bytes[2 * i + 1] << 8);
    out[i] = (u >= 0x8000 ? u - 0x10000 : u) / 32768;
  }
  return out;
}

/** Floats in [-1, 1] to little-endian signed 16-bit PCM, clipped. */
export function float32ToPcm16(samples: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(2 * i, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), true);
  return out;
}
