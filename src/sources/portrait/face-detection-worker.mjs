// The face-detection thread. A worker does not inherit the loader the API registered, so it registers tsx itself to run
// the same TypeScript model code the tests run in-thread.
import { register } from 'tsx/esm/api';

register();
const { detectFaces } = await import('./face-model.ts');

/** The pool moves the pixels here; the faces go back as plain data. */
export default function detectTransferredFaces({ rgb, width, height }) {
  return detectFaces(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), width, height);
}
