import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inspectVrm } from '../src/sources/vrm/index.ts';
import { VRM_FIXTURES } from '../test/fixtures.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

const RUNS = 60;
const WARMUP = 10;
const MIB = 1024 * 1024;

/** Median wall time of `task` in ms, after warm-up runs. */
async function medianMs(task: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i += 1) await task();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** VRM intake (GLB checks, JSON, Khronos validator in its worker, VRM reading) per MiB of model, warm. */
export default async function bench(report: Report): Promise<void> {
  const files = Object.values(VRM_FIXTURES).map((file) => ({ name: path.basename(file), bytes: readFileSync(file) }));

  const coldStart = performance.now();
  await inspectVrm(files[0].bytes);
  report({
    name: 'vrm intake first call',
    value: performance.now() - coldStart,
    unit: 'ms',
    note: `${files[0].name}; includes starting the validator's worker thread (once per process)`,
  });

  // Baseline: the bare validator on the main thread, as the intake would cost without its worker and its checks.
  const validator = createRequire(import.meta.url)('gltf-validator') as {
    validateBytes(data: Uint8Array, options: object): Promise<unknown>;
  };
  const bareValidator = (bytes: Buffer) =>
    validator.validateBytes(new Uint8Array(bytes), { format: 'glb', maxIssues: 0, writeTimestamp: false });

  let totalMs = 0;
  let totalBaselineMs = 0;
  let totalBytes = 0;
  let largest = files[0];
  let largestMs = 0;
  for (const file of files) {
    const ms = await medianMs(() => inspectVrm(file.bytes));
    const baselineMs = await medianMs(() => bareValidator(file.bytes));
    const mib = file.bytes.length / MIB;
    report({
      name: `vrm intake ${file.name}`,
      value: ms / mib,
      unit: 'ms/MiB',
      note: `${ms.toFixed(2)} ms for ${mib.toFixed(3)} MiB, median of ${RUNS}`,
    });
    totalMs += ms;
    totalBaselineMs += baselineMs;
    totalBytes += file.bytes.length;
    if (file.bytes.length >= largest.bytes.length) {
      largest = file;
      largestMs = ms;
    }
  }
  report({
    name: 'vrm intake, all fixtures',
    value: totalMs / (totalBytes / MIB),
    unit: 'ms/MiB',
    note: `sum of medians ${totalMs.toFixed(2)} ms over ${(totalBytes / MIB).toFixed(3)} MiB`,
  });
  report({ name: `vrm intake largest fixture (${largest.name})`, value: largestMs, unit: 'ms', note: `median of ${RUNS}, warm` });
  report({
    name: 'vrm intake vs bare gltf-validator',
    value: totalMs / totalBaselineMs,
    unit: 'x',
    note: `bare validator on the main thread: ${(totalBaselineMs / (totalBytes / MIB)).toFixed(2)} ms/MiB in the same run`,
  });
}
