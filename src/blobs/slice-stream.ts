import { Readable } from 'node:stream';

/**
 * The `length` bytes of `source` that follow its first `skip` bytes. Stops reading (and closes the
 * source) once they are through, so a server that sent more than was asked costs nothing more.
 */
export function sliceStream(source: Readable, skip: number, length: number): Readable {
  async function* slice() {
    let toSkip = skip;
    let left = length;
    if (left <= 0) {
      source.destroy();
      return;
    }
    for await (const chunk of source) {
      let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (toSkip > 0) {
        if (bytes.length <= toSkip) {
          toSkip -= bytes.length;
          continue;
        }
        bytes = bytes.subarray(toSkip);
        toSkip = 0;
      }
      if (bytes.length >= left) {
        yield bytes.subarray(0, left);
        return; // leaving the loop destroys the source
      }
      left -= bytes.length;
      yield bytes;
    }
  }
  return Readable.from(slice(), { objectMode: false });
}
