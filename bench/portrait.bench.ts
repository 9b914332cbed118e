import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { PORTRAIT_FIXTURES, ROOT_DIR } from '../test/fixtures.ts';
import { decodePortrait, encodePortraitPng } from '../src/sources/portrait/decode-portrait.ts';
import { preprocessPortrait } from '../src/sources/portrait/index.ts';

const WARM_RUNS = 10;
const run = promisify(execFile);

type Row = { name: string; value: number; unit: string; note?: string };

/** Portrait preprocessing of the 512x512 astronaut: a fresh process's first call (model load included), then warm calls. */
export default async function bench(report: (row: Row) => void): Promise<void> {
  const cold = await coldFirstCallMs();
  report({
    name: 'portrait preprocess, cold first call',
    value: round(cold),
    unit: 'ms',
    note: 'fresh Node process, includes loading blazeface+facemesh+iris on tfjs wasm',
  });

  const file = await readFile(PORTRAIT_FIXTURES.astronaut);
  await preprocessPortrait(file);
  const warm = median(await timeRuns(() => preprocessPortrait(file)));
  report({
    name: 'portrait preprocess, warm median',
    value: round(warm),
    unit: 'ms',
    note: `${WARM_RUNS} runs; cold is ${round(cold / warm)}x warm`,
  });

  // Baseline in the same run: decoding and PNG encoding alone, to show the face model's share.
  const imageOnly = median(await timeRuns(async () => encodePortraitPng(await decodePortrait(file))));
  report({
    name: 'portrait decode + PNG encode only, warm median',
    value: round(imageOnly),
    unit: 'ms',
    note: `face model is ${round(warm - imageOnly)} ms of the warm call`,
  });
}

async function timeRuns(task: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times;
}

/** The model is a per-process singleton, so a cold call needs its own process. */
async function coldFirstCallMs(): Promise<number> {
  const moduleUrl = pathToFileURL(path.join(ROOT_DIR, 'src/sources/portrait/index.ts')).href;
  const script = `
    const { readFile } = await import('node:fs/promises');
    const { preprocessPortrait } = await import(${JSON.stringify(moduleUrl)});
    const file = await readFile(${JSON.stringify(PORTRAIT_FIXTURES.astronaut)});
    const start = performance.now();
    await preprocessPortrait(file);
    console.log(JSON.stringify({ ms: performance.now() - start }));
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: ROOT_DIR });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(last) as { ms: number }).ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
