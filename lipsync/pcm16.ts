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
