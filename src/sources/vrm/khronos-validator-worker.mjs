// The Khronos glTF validator, run in a worker thread. Its compiled Dart throws some failures outside the promise it
// returns (a JSON number too large for an int: "Infinity.toInt()"), which in the main thread would end the whole
// process; here they end only this worker, and the main thread refuses the file that did it.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const validator = createRequire(import.meta.url)('gltf-validator');

// A VRM carries everything inside the file: the validator must never fetch or read anything else.
const refuseExternalResources = () => Promise.reject(new Error('external resources are not loaded'));

parentPort.on('message', async ({ id, bytes, options }) => {
  try {
    const report = await validator.validateBytes(bytes, { ...options, externalResourceFunction: refuseExternalResources });
    parentPort.postMessage({ id, issues: report.issues });
  } catch (error) {
    parentPort.postMessage({ id, failure: String(error instanceof Error ? error.message : error) });
  }
});

parentPort.postMessage({ ready: true });
