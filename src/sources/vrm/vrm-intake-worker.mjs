// A thread of the VRM intake pool. A worker does not inherit the loader the API registered, so it registers tsx itself
// to run the same TypeScript readers the tests run in-thread.
import { register } from 'tsx/esm/api';

register();
const { readVrm } = await import('./read-vrm.ts');

/** The pool moves the file's bytes here; the reading goes back as plain data. */
export default function readTransferredVrm(bytes) {
  return readVrm(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
